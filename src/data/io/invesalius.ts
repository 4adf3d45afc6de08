/**
 * InVesalius 3 project files (`.inv3`, e.g. Debian's invesalius-examples `Cranium.inv3`): a gzip tar holding
 * `main.plist` (volume dtype, shape [D, H, W], spacing [x, y, z] mm, modality), the raw volume (`matrix.dat`,
 * little-endian) and mask plists with raw uint8 masks one voxel larger on each axis (InVesalius keeps flags in
 * the first plane, row and column; the mask is [1:, 1:, 1:], 255 = inside).
 *
 * Geometry: the file records the spacing and "orientation 1" (axial) only. Slices are stacked as stored (on
 * Cranium the tissue area per slice falls towards the last slices: the index grows towards the vertex); the
 * affine assumes DICOM's axial axes (columns -> patient left, rows -> posterior), as RAS: diag(-sx, -sy, sz).
 * `meta.orientationAssumed` says so.
 */
import { readFile } from 'node:fs/promises';
import { gunzipSync } from 'node:zlib';
import { MedattnDataError } from './errors.js';
import type { MedicalImage } from '../medical-image.js';

export interface InvesaliusMask {
  name: string;
  /** The HU range InVesalius thresholded (the masks are threshold masks unless edited). */
  thresholdRange?: [number, number];
  /** uint8 0/1, the volume's shape. */
  image: MedicalImage<Uint8Array>;
}

export interface InvesaliusProject {
  volume: MedicalImage<Int16Array | Uint8Array | Uint16Array | Float32Array>;
  masks: InvesaliusMask[];
}

/** Files of an (uncompressed) POSIX tar, by base name. */
function untar(tar: Buffer, file: string): Map<string, Buffer> {
  const out = new Map<string, Buffer>();
  for (let at = 0; at + 512 <= tar.length;) {
    const header = tar.subarray(at, at + 512);
    if (header.every((b) => b === 0)) break;
    const text = (from: number, to: number) => header.toString('latin1', from, to).replace(/\0.*$/s, '');
    const size = parseInt(text(124, 136).trim() || '0', 8);
    if (!Number.isFinite(size) || at + 512 + size > tar.length)
      throw new MedattnDataError(file, 'not an InVesalius project (truncated or not a tar archive)');
    const name = text(0, 100);
    if (text(156, 157) === '0' || text(156, 157) === '')
      out.set(name.split('/').pop()!, tar.subarray(at + 512, at + 512 + size));
    at += 512 + Math.ceil(size / 512) * 512;
  }
  return out;
}

/** The text of `<key>name</key>`'s value element (a dict, array, string, integer or real). */
function plistValue(xml: string, key: string): string | undefined {
  const m = new RegExp(`<key>${key}</key>\\s*<(dict|array|string|integer|real|true|false)\\s*/?>`).exec(xml);
  if (!m) return undefined;
  if (m[1] === 'true' || m[1] === 'false') return m[1];
  const start = m.index + m[0].length;
  const end = xml.indexOf(`</${m[1]}>`, start);
  return end < 0 ? undefined : xml.slice(start, end);
}

function plistNumbers(xml: string | undefined): number[] {
  return [...(xml ?? '').matchAll(/<(?:integer|real)>([^<]*)<\/(?:integer|real)>/g)].map((m) => Number(m[1]));
}

const DTYPES = {
  int16: Int16Array,
  uint16: Uint16Array,
  uint8: Uint8Array,
  float32: Float32Array,
} as const;

function member(files: Map<string, Buffer>, name: string, file: string): Buffer {
  const b = files.get(name);
  if (!b) throw new MedattnDataError(file, `not an InVesalius project: no ${name} in the archive`);
  return b;
}

export async function readInvesalius(file: string): Promise<InvesaliusProject> {
  let files: Map<string, Buffer>;
  try {
    files = untar(gunzipSync(await readFile(file)), file);
  } catch (e) {
    if (e instanceof MedattnDataError) throw e;
    throw new MedattnDataError(file, `not an InVesalius project (${(e as Error).message})`);
  }
  const main = member(files, 'main.plist', file).toString('utf8');
  const matrix = plistValue(main, 'matrix') ?? '';
  const dtype = plistValue(matrix, 'dtype') ?? '';
  const Ctor = DTYPES[dtype as keyof typeof DTYPES];
  if (!Ctor)
    throw new MedattnDataError(file, `main.plist: volume dtype '${dtype}' is not one of int16, uint16, uint8, float32`);
  const shape = plistNumbers(plistValue(matrix, 'shape'));
  const spacingXyz = plistNumbers(plistValue(main, 'spacing'));
  if (shape.length !== 3) throw new MedattnDataError(file, `main.plist: volume shape [${shape}] is not [D, H, W]`);
  if (spacingXyz.length !== 3 || !spacingXyz.every((s) => s > 0))
    throw new MedattnDataError(file, "main.plist: the volume's voxel spacing is missing or not positive");
  const raw = member(files, plistValue(matrix, 'filename') ?? 'matrix.dat', file);
  const n = shape[0] * shape[1] * shape[2];
  if (raw.length !== n * Ctor.BYTES_PER_ELEMENT)
    throw new MedattnDataError(
      file,
      `matrix holds ${raw.length} bytes, shape [${shape}] ${dtype} needs ${n * Ctor.BYTES_PER_ELEMENT}`,
    );
  // Little-endian like every platform Node runs on; copied so the array owns aligned memory.
  const data = new Ctor(Uint8Array.from(raw).buffer);
  const [sx, sy, sz] = spacingXyz;
  const geometry = {
    spacing: [sz, sy, sx],
    affine: [
      [-sx, 0, 0, 0],
      [0, -sy, 0, 0],
      [0, 0, sz, 0],
      [0, 0, 0, 1],
    ],
  };
  const volume = {
    data,
    shape: [1, ...shape],
    ...geometry,
    meta: {
      format: 'inv3',
      modality: plistValue(main, 'modality'),
      orientationAssumed: 'axial, DICOM axes (columns -> left, rows -> posterior, slices -> superior)',
    },
  };
  const masks: InvesaliusMask[] = [];
  const maskList = plistValue(main, 'masks') ?? '';
  for (const [, plistName] of maskList.matchAll(/<string>([^<]*)<\/string>/g)) {
    const mp = member(files, plistName, file).toString('utf8');
    const mshape = plistNumbers(plistValue(mp, 'mask_shape'));
    const mraw = member(files, plistValue(mp, 'mask_file') ?? '', file);
    if (mshape.join() !== shape.map((s) => s + 1).join() || mraw.length !== mshape[0] * mshape[1] * mshape[2])
      throw new MedattnDataError(file, `${plistName}: mask shape [${mshape}] is not the volume's [${shape}] + 1`);
    const image = new Uint8Array(n);
    const [, mh, mw] = mshape;
    for (let z = 0, i = 0; z < shape[0]; z++)
      for (let y = 0; y < shape[1]; y++)
        for (let x = 0, o = ((z + 1) * mh + y + 1) * mw + 1; x < shape[2]; x++, i++, o++)
          image[i] = mraw[o] > 127 ? 1 : 0;
    const range = plistNumbers(plistValue(mp, 'threshold_range'));
    masks.push({
      name: plistValue(mp, 'name') ?? plistName,
      ...(range.length === 2 ? { thresholdRange: [range[0], range[1]] as [number, number] } : {}),
      image: { data: image, shape: [1, ...shape], ...geometry },
    });
  }
  return { volume, masks };
}
