/**
 * NIfTI-1 and NIfTI-2 volumes (.nii, .nii.gz). The header is parsed here (both layouts, either byte order);
 * voxel values are scaled by scl_slope/scl_inter, and the affine is chosen the way nibabel does
 * (sform if sform_code > 0, else qform if qform_code > 0, else a pixdim diagonal).
 *
 * Layout: the file's voxel order (i fastest) is kept, so a volume is [C, D, H, W] = [t or RGB, k, j, i] and
 * `affine` maps the column vector (i, j, k, 1) = (w, h, d, 1) to RAS+ mm — nibabel's `img.affine` exactly,
 * with nibabel's `arr[i, j, k]` at our `data[(k * H + j) * W + i]`. `spacing` is [dk, dj, di] (shape order).
 *
 * Bytes in, no Node.js modules (the browser page bundles it); nifti.ts reads files and inflates .nii.gz.
 */
import { MedattnDataError } from './errors.js';
import type { MedicalImage, PixelArray } from '../medical-image.js';

export interface NiftiHeader {
  version: 1 | 2;
  littleEndian: boolean;
  /** dim[1..dim[0]]: nx, ny, nz, nt, ... */
  dims: number[];
  datatype: number;
  bitpix: number;
  /** pixdim[0..7] (pixdim[0] is qfac). */
  pixdim: number[];
  voxOffset: number;
  sclSlope: number;
  sclInter: number;
  qformCode: number;
  sformCode: number;
  quatern: [number, number, number];
  qoffset: [number, number, number];
  srow: number[][];
  xyztUnits: number;
  description: string;
  intentCode: number;
}

export interface ReadNiftiOptions {
  /** Reorient to the closest canonical RAS+ orientation (like nibabel.as_closest_canonical). Default false. */
  canonical?: boolean;
  /** Accept NaN voxels (statistics maps use them). Default false: NaN is an error. */
  allowNaN?: boolean;
}

const DATATYPES: Record<number, { name: string; size: number; channels?: number }> = {
  2: { name: 'uint8', size: 1 },
  4: { name: 'int16', size: 2 },
  8: { name: 'int32', size: 4 },
  16: { name: 'float32', size: 4 },
  64: { name: 'float64', size: 8 },
  128: { name: 'rgb24', size: 3, channels: 3 },
  256: { name: 'int8', size: 1 },
  512: { name: 'uint16', size: 2 },
  768: { name: 'uint32', size: 4 },
  1024: { name: 'int64', size: 8 },
  1280: { name: 'uint64', size: 8 },
  2304: { name: 'rgba32', size: 4, channels: 4 },
};

export function parseNiftiHeader(raw: Uint8Array, path: string): NiftiHeader {
  const bytes = raw;
  const fail = (reason: string): never => {
    throw new MedattnDataError(path, reason);
  };
  if (bytes.length < 348) fail(`too short for a NIfTI header (${bytes.length} bytes)`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const size = (le: boolean) => view.getInt32(0, le);
  const littleEndian = size(true) === 348 || size(true) === 540;
  const hdrSize = size(littleEndian);
  if (hdrSize !== 348 && hdrSize !== 540) fail('not a NIfTI file (sizeof_hdr is neither 348 nor 540)');
  const le = littleEndian;
  const str = (at: number, n: number) => String.fromCharCode(...bytes.subarray(at, at + n)).replace(/\0.*$/s, '');
  if (hdrSize === 348) {
    const magic = str(344, 4);
    if (magic !== 'n+1' && magic !== 'ni1') fail(`bad NIfTI-1 magic ${JSON.stringify(magic)}`);
    const f32 = (at: number) => view.getFloat32(at, le);
    const i16 = (at: number) => view.getInt16(at, le);
    const ndim = i16(40);
    if (ndim < 1 || ndim > 7) fail(`invalid dim[0] ${ndim}`);
    return {
      version: 1,
      littleEndian,
      dims: Array.from({ length: ndim }, (_, i) => i16(42 + 2 * i)),
      datatype: i16(70),
      bitpix: i16(72),
      pixdim: Array.from({ length: 8 }, (_, i) => f32(76 + 4 * i)),
      voxOffset: magic === 'ni1' ? 0 : f32(108),
      sclSlope: f32(112),
      sclInter: f32(116),
      xyztUnits: bytes[123],
      intentCode: i16(68),
      description: str(148, 80),
      qformCode: i16(252),
      sformCode: i16(254),
      quatern: [f32(256), f32(260), f32(264)],
      qoffset: [f32(268), f32(272), f32(276)],
      srow: [0, 1, 2].map((r) => [0, 1, 2, 3].map((c) => f32(280 + 16 * r + 4 * c))),
    };
  }
  if (bytes.length < 540) fail(`too short for a NIfTI-2 header (${bytes.length} bytes)`);
  const magic = str(4, 4);
  if (magic !== 'n+2' && magic !== 'ni2') fail(`bad NIfTI-2 magic ${JSON.stringify(magic)}`);
  const f64 = (at: number) => view.getFloat64(at, le);
  const i64 = (at: number) => Number(view.getBigInt64(at, le));
  const ndim = i64(16);
  if (ndim < 1 || ndim > 7) fail(`invalid dim[0] ${ndim}`);
  return {
    version: 2,
    littleEndian,
    dims: Array.from({ length: ndim }, (_, i) => i64(24 + 8 * i)),
    datatype: view.getInt16(12, le),
    bitpix: view.getInt16(14, le),
    pixdim: Array.from({ length: 8 }, (_, i) => f64(104 + 8 * i)),
    voxOffset: magic === 'ni2' ? 0 : i64(168),
    sclSlope: f64(176),
    sclInter: f64(184),
    description: str(240, 80),
    qformCode: view.getInt32(344, le),
    sformCode: view.getInt32(348, le),
    quatern: [f64(352), f64(360), f64(368)],
    qoffset: [f64(376), f64(384), f64(392)],
    srow: [0, 1, 2].map((r) => [0, 1, 2, 3].map((c) => f64(400 + 32 * r + 8 * c))),
    xyztUnits: view.getInt32(500, le),
    intentCode: view.getInt32(504, le),
  };
}

/** An uncompressed NIfTI file's bytes (inflate a .nii.gz first) -> image. */
export function parseNiftiBytes(bytes: Uint8Array, path: string, options: ReadNiftiOptions = {}): MedicalImage {
  const h = parseNiftiHeader(bytes, path);
  const fail = (reason: string): never => {
    throw new MedattnDataError(path, reason);
  };
  const type = DATATYPES[h.datatype] ?? fail(`unsupported NIfTI datatype ${h.datatype}`);
  if (h.dims.length > 4 && h.dims.slice(4).some((d) => d !== 1))
    fail(`${h.dims.length}-D NIfTI images are not supported`);
  const [nx, ny = 1, nz = 1, nt = 1] = h.dims;
  if ([nx, ny, nz, nt].some((d) => !Number.isInteger(d) || d < 1)) fail(`invalid dimensions ${h.dims.join('x')}`);
  const voxels = nx * ny * nz;
  const count = voxels * nt;
  // vox_offset is a float in NIfTI-1: nibabel takes int() of it; NaN, infinite or negative points nowhere.
  const offset = h.voxOffset === 0 ? (h.version === 1 ? 352 : 544) : Math.trunc(h.voxOffset);
  if (!Number.isSafeInteger(count * type.size)) fail(`invalid dimensions ${h.dims.join('x')} (too large)`);
  if (!Number.isSafeInteger(offset) || offset < 0) fail(`invalid vox_offset ${h.voxOffset}`);
  if (offset + count * type.size > bytes.length) {
    fail(
      `voxel data truncated: ${h.dims.join('x')} ${type.name} needs ${count * type.size} bytes after offset ${offset}, file has ${Math.max(0, bytes.length - offset)}`,
    );
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset + offset, count * type.size);
  const le = h.littleEndian;
  const channels = type.channels ?? nt;
  let data: PixelArray;
  const typed = <T extends PixelArray>(out: T, read: (i: number) => number): T => {
    for (let i = 0; i < out.length; i++) out[i] = read(i);
    return out;
  };
  switch (h.datatype) {
    case 2:
    case 128:
    case 2304:
      data = new Uint8Array(
        bytes.buffer.slice(bytes.byteOffset + offset, bytes.byteOffset + offset + count * type.size),
      );
      if (type.channels) data = interleavedToPlanar(data, voxels, type.channels);
      break;
    case 256:
      data = typed(new Int8Array(count), (i) => view.getInt8(i));
      break;
    case 4:
      data = typed(new Int16Array(count), (i) => view.getInt16(2 * i, le));
      break;
    case 512:
      data = typed(new Uint16Array(count), (i) => view.getUint16(2 * i, le));
      break;
    case 8:
      data = typed(new Int32Array(count), (i) => view.getInt32(4 * i, le));
      break;
    case 768:
      data = typed(new Uint32Array(count), (i) => view.getUint32(4 * i, le));
      break;
    case 16:
      data = typed(new Float32Array(count), (i) => view.getFloat32(4 * i, le));
      break;
    case 64:
      data = typed(new Float64Array(count), (i) => view.getFloat64(8 * i, le));
      break;
    default: // 64-bit integers: exact as float64 up to 2^53
      data = typed(new Float64Array(count), (i) =>
        Number(h.datatype === 1024 ? view.getBigInt64(8 * i, le) : view.getBigUint64(8 * i, le)),
      );
  }
  if (data instanceof Float32Array || data instanceof Float64Array) {
    let nans = 0;
    for (let i = 0; i < data.length; i++) if (Number.isNaN(data[i])) nans++;
    if (nans && !options.allowNaN) fail(`${nans} NaN voxels (pass allowNaN to accept them)`);
  }
  // nibabel: a zero or non-finite slope means "no scaling".
  const scaled =
    Number.isFinite(h.sclSlope) && h.sclSlope !== 0 && !(h.sclSlope === 1 && h.sclInter === 0) && !type.channels;
  if (scaled) {
    const out = new Float32Array(data.length);
    const inter = Number.isFinite(h.sclInter) ? h.sclInter : 0;
    for (let i = 0; i < data.length; i++) out[i] = data[i] * h.sclSlope + inter;
    data = out;
  }
  const image: MedicalImage = {
    data,
    shape: [channels, nz, ny, nx],
    spacing: [Math.abs(h.pixdim[3] || 1), Math.abs(h.pixdim[2] || 1), Math.abs(h.pixdim[1] || 1)],
    affine: bestAffine(h),
    meta: {
      format: `nifti${h.version}`,
      datatype: type.name,
      dims: h.dims,
      // pixdim 0 (or NaN) on a present axis: the spacing above is a placeholder 1, not millimetres.
      spacingMissing: h.dims.slice(0, 3).some((_, i) => !(Math.abs(h.pixdim[i + 1]) > 0)),
      sclSlope: h.sclSlope,
      sclInter: h.sclInter,
      scaled,
      qformCode: h.qformCode,
      sformCode: h.sformCode,
      description: h.description,
    },
  };
  return options.canonical ? toCanonical(image) : image;
}

function interleavedToPlanar(src: Uint8Array, pixels: number, channels: number): Uint8Array {
  const out = new Uint8Array(src.length);
  for (let c = 0; c < channels; c++) for (let i = 0; i < pixels; i++) out[c * pixels + i] = src[i * channels + c];
  return out;
}

/** nibabel's Nifti1Header.get_best_affine. */
export function bestAffine(h: NiftiHeader): number[][] {
  if (h.sformCode > 0) return [...h.srow.map((r) => [...r]), [0, 0, 0, 1]];
  if (h.qformCode > 0) return qformAffine(h);
  // No orientation: nibabel's base affine, voxel centre of the volume at the origin, x flipped.
  const [nx, ny = 1, nz = 1] = h.dims;
  const [, px = 1, py = 1, pz = 1] = h.pixdim.map((v) => Math.abs(v) || 1);
  return [
    [-px, 0, 0, ((nx - 1) / 2) * px],
    [0, py, 0, -((ny - 1) / 2) * py],
    [0, 0, pz, -((nz - 1) / 2) * pz],
    [0, 0, 0, 1],
  ];
}

function qformAffine(h: NiftiHeader): number[][] {
  const [b, c, d] = h.quatern;
  const w2 = 1 - (b * b + c * c + d * d);
  const a = w2 < 1e-7 ? 0 : Math.sqrt(w2); // nibabel treats tiny negative as 0 (180° rotation)
  const R = [
    [a * a + b * b - c * c - d * d, 2 * (b * c - a * d), 2 * (b * d + a * c)],
    [2 * (b * c + a * d), a * a + c * c - b * b - d * d, 2 * (c * d - a * b)],
    [2 * (b * d - a * c), 2 * (c * d + a * b), a * a + d * d - b * b - c * c],
  ];
  const qfac = h.pixdim[0] < 0 ? -1 : 1;
  const zooms = [h.pixdim[1], h.pixdim[2], h.pixdim[3] * qfac];
  return [0, 1, 2]
    .map((r) => [R[r][0] * zooms[0], R[r][1] * zooms[1], R[r][2] * zooms[2], h.qoffset[r]])
    .concat([[0, 0, 0, 1]]);
}

/**
 * For each voxel axis (i, j, k), the world axis (0=R, 1=A, 2=S) it runs closest to and its direction
 * (+1/-1): nibabel's io_orientation, greedy on the largest remaining |cosine|.
 */
export function axisOrientation(affine: number[][]): Array<{ world: number; sign: 1 | -1 }> {
  const cols = [0, 1, 2].map((i) => {
    const v = [0, 1, 2].map((r) => affine[r][i]);
    const n = Math.hypot(...v) || 1;
    return v.map((x) => x / n);
  });
  const result: Array<{ world: number; sign: 1 | -1 }> = new Array(3);
  const usedAxes = new Set<number>();
  const usedWorld = new Set<number>();
  for (let step = 0; step < 3; step++) {
    let best = { i: -1, w: -1, v: -1 };
    for (let i = 0; i < 3; i++) {
      if (usedAxes.has(i)) continue;
      for (let w = 0; w < 3; w++) {
        if (usedWorld.has(w)) continue;
        if (Math.abs(cols[i][w]) > best.v) best = { i, w, v: Math.abs(cols[i][w]) };
      }
    }
    usedAxes.add(best.i);
    usedWorld.add(best.w);
    result[best.i] = { world: best.w, sign: cols[best.i][best.w] < 0 ? -1 : 1 };
  }
  return result;
}

/** Reorders and flips voxel axes so i→R, j→A, k→S increase (nibabel.as_closest_canonical). */
export function toCanonical(image: MedicalImage): MedicalImage {
  if (!image.affine || image.shape.length !== 4) return image;
  const orient = axisOrientation(image.affine);
  if (orient.every((o, i) => o.world === i && o.sign === 1)) return image;
  const [C, D, H, W] = image.shape;
  const size = [W, H, D]; // by voxel axis i, j, k
  // newAxis[world] = old voxel axis that becomes new axis `world`.
  const oldAxisOf = [0, 1, 2].map((w) => orient.findIndex((o) => o.world === w));
  const newSize = oldAxisOf.map((a) => size[a]);
  const [nW, nH, nD] = newSize;
  const src = image.data;
  const out = new (src.constructor as new (n: number) => PixelArray)(src.length);
  const oldStride = [1, W, W * H];
  const old = [0, 0, 0];
  for (let c = 0; c < C; c++) {
    const cBase = c * D * H * W;
    let o = cBase;
    for (let k = 0; k < nD; k++) {
      for (let j = 0; j < nH; j++) {
        for (let i = 0; i < nW; i++, o++) {
          const idx = [i, j, k];
          for (let w = 0; w < 3; w++) {
            const a = oldAxisOf[w];
            old[a] = orient[a].sign === 1 ? idx[w] : size[a] - 1 - idx[w];
          }
          out[o] = src[cBase + old[0] * oldStride[0] + old[1] * oldStride[1] + old[2] * oldStride[2]];
        }
      }
    }
  }
  // new voxel (n) → old voxel: old[a] = sign ? n[w] : size-1-n[w]; affine' = affine · T.
  const T = [0, 1, 2, 3].map(() => [0, 0, 0, 0]);
  T[3][3] = 1;
  for (let w = 0; w < 3; w++) {
    const a = oldAxisOf[w];
    if (orient[a].sign === 1) T[a][w] = 1;
    else {
      T[a][w] = -1;
      T[a][3] = size[a] - 1;
    }
  }
  const A = image.affine;
  const affine = A.map((row) => [0, 1, 2, 3].map((col) => row.reduce((s, v, r) => s + v * T[r][col], 0)));
  const oldSpacing = image.spacing ? [image.spacing[2], image.spacing[1], image.spacing[0]] : undefined; // by i, j, k
  return {
    ...image,
    data: out,
    shape: [C, nD, nH, nW],
    affine,
    ...(oldSpacing ? { spacing: [oldSpacing[oldAxisOf[2]], oldSpacing[oldAxisOf[1]], oldSpacing[oldAxisOf[0]]] } : {}),
    meta: { ...image.meta, canonical: true },
  };
}

export type VolumeAxis = 'axial' | 'coronal' | 'sagittal' | 0 | 1 | 2;

/**
 * One 2D slice [C, H, W] of a [C, D, H, W] volume. Numeric axes index the spatial dims (0 = D, 1 = H,
 * 2 = W); named axes assume a canonical RAS+ volume (axial = along D/S, coronal = along H/A, sagittal = along W/R).
 */
export function sliceVolume(image: MedicalImage, axis: VolumeAxis, index: number): MedicalImage {
  if (image.shape.length !== 4)
    throw new RangeError(`sliceVolume needs a [C, D, H, W] image, got [${image.shape.join(', ')}]`);
  const a = axis === 'axial' ? 0 : axis === 'coronal' ? 1 : axis === 'sagittal' ? 2 : axis;
  const [C, D, H, W] = image.shape;
  const dims = [D, H, W];
  if (!Number.isInteger(index) || index < 0 || index >= dims[a])
    throw new RangeError(`slice ${index} outside 0..${dims[a] - 1}`);
  const [rows, cols] = a === 0 ? [H, W] : a === 1 ? [D, W] : [D, H];
  const out = new (image.data.constructor as new (n: number) => PixelArray)(C * rows * cols);
  let o = 0;
  for (let c = 0; c < C; c++) {
    for (let r = 0; r < rows; r++) {
      for (let q = 0; q < cols; q++, o++) {
        const [d, h, w] = a === 0 ? [index, r, q] : a === 1 ? [r, index, q] : [r, q, index];
        out[o] = image.data[((c * D + d) * H + h) * W + w];
      }
    }
  }
  const sp = image.spacing;
  return {
    data: out,
    shape: [C, rows, cols],
    ...(sp ? { spacing: a === 0 ? [sp[1], sp[2]] : a === 1 ? [sp[0], sp[2]] : [sp[0], sp[1]] } : {}),
    meta: { ...image.meta, sliceAxis: a, sliceIndex: index },
  };
}
