/**
 * NumPy `.npy` parsing (format versions 1.0, 2.0 and 3.0). Arrays come back in C (row-major) order in the
 * machine's native byte order, whatever the file used, so callers never see Fortran order or big endian.
 */
import { readFile } from 'node:fs/promises';
import { MedattnDataError } from './errors.js';
import type { PixelArray } from '../medical-image.js';

export type NpyDtype =
  | 'bool'
  | 'uint8'
  | 'int8'
  | 'uint16'
  | 'int16'
  | 'uint32'
  | 'int32'
  | 'uint64'
  | 'int64'
  | 'float16'
  | 'float32'
  | 'float64';

export interface NpyArray {
  /** bool → Uint8Array (0/1); 64-bit integers → Float64Array (exact up to 2^53, else an error); float16 → Float32Array. */
  data: PixelArray;
  shape: number[];
  /** The dtype stored in the file (before the widening described on `data`). */
  dtype: NpyDtype;
}

const MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]; // \x93NUMPY

interface DtypeInfo {
  dtype: NpyDtype;
  size: number;
}

const DESCR: Record<string, DtypeInfo> = {
  b1: { dtype: 'bool', size: 1 },
  u1: { dtype: 'uint8', size: 1 },
  i1: { dtype: 'int8', size: 1 },
  u2: { dtype: 'uint16', size: 2 },
  i2: { dtype: 'int16', size: 2 },
  u4: { dtype: 'uint32', size: 4 },
  i4: { dtype: 'int32', size: 4 },
  u8: { dtype: 'uint64', size: 8 },
  i8: { dtype: 'int64', size: 8 },
  f2: { dtype: 'float16', size: 2 },
  f4: { dtype: 'float32', size: 4 },
  f8: { dtype: 'float64', size: 8 },
};

export async function readNpy(path: string): Promise<NpyArray> {
  let bytes: Uint8Array;
  try {
    bytes = await readFile(path);
  } catch (e) {
    throw new MedattnDataError(path, `cannot read file (${(e as NodeJS.ErrnoException).code ?? String(e)})`);
  }
  return parseNpy(bytes, path);
}

/** Parses the bytes of one `.npy` file; `file` names it in errors (an npz member is `archive.npz/name.npy`). */
export function parseNpy(bytes: Uint8Array, file = '<npy>'): NpyArray {
  const fail = (reason: string): never => {
    throw new MedattnDataError(file, reason);
  };
  if (bytes.length < 10 || MAGIC.some((b, i) => bytes[i] !== b)) fail('not a NumPy .npy file (bad magic)');
  const major = bytes[6];
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let headerLen: number;
  let headerStart: number;
  if (major === 1) {
    headerLen = view.getUint16(8, true);
    headerStart = 10;
  } else if (major === 2 || major === 3) {
    if (bytes.length < 12) fail('truncated .npy header');
    headerLen = view.getUint32(8, true);
    headerStart = 12;
  } else {
    return fail(`unsupported .npy format version ${major}.${bytes[7]}`);
  }
  const dataStart = headerStart + headerLen;
  if (dataStart > bytes.length) fail('truncated .npy header');
  const header = new TextDecoder(major === 3 ? 'utf-8' : 'latin1').decode(bytes.subarray(headerStart, dataStart));
  const descr = /'descr'\s*:\s*'([^']*)'/.exec(header)?.[1];
  const fortran = /'fortran_order'\s*:\s*(True|False)/.exec(header)?.[1];
  const shapeText = /'shape'\s*:\s*\(([^)]*)\)/.exec(header)?.[1];
  if (descr === undefined || fortran === undefined || shapeText === undefined) {
    return fail(`malformed .npy header ${JSON.stringify(header.trim().slice(0, 80))}`);
  }
  const shape = shapeText
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.length > 0)
    .map((s) => (/^\d+$/.test(s) ? Number(s) : fail(`bad shape entry ${JSON.stringify(s)} in .npy header`)));
  const order = descr[0];
  const info = DESCR[descr.slice(1)];
  if (!info || !'<>|='.includes(order))
    return fail(`unsupported dtype '${descr}' (structured, string or object arrays are not read)`);
  const count = shape.reduce((a, b) => a * b, 1);
  const byteLength = count * info.size;
  if (!Number.isSafeInteger(byteLength)) fail(`shape (${shape.join(', ')}) is too large`);
  if (dataStart + byteLength > bytes.length) {
    fail(
      `truncated .npy data: shape (${shape.join(', ')}) ${info.dtype} needs ${byteLength} bytes, file has ${bytes.length - dataStart}`,
    );
  }
  const bigEndian = order === '>';
  const data = decodeElements(
    new DataView(bytes.buffer, bytes.byteOffset + dataStart, byteLength),
    info,
    count,
    bigEndian,
    () => fail(`${info.dtype} value outside the exactly representable range ±2^53`),
  );
  return { data: fortran === 'True' ? fortranToC(data, shape) : data, shape, dtype: info.dtype };
}

function decodeElements(
  view: DataView,
  info: DtypeInfo,
  n: number,
  bigEndian: boolean,
  overflow: () => never,
): PixelArray {
  const le = !bigEndian;
  switch (info.dtype) {
    case 'uint8':
      return new Uint8Array(view.buffer.slice(view.byteOffset, view.byteOffset + n));
    case 'bool': {
      const out = new Uint8Array(view.buffer.slice(view.byteOffset, view.byteOffset + n));
      for (let i = 0; i < n; i++) out[i] = out[i] ? 1 : 0;
      return out;
    }
    case 'int8':
      return new Int8Array(view.buffer.slice(view.byteOffset, view.byteOffset + n));
    case 'uint16':
      return fill(new Uint16Array(n), (i) => view.getUint16(i * 2, le));
    case 'int16':
      return fill(new Int16Array(n), (i) => view.getInt16(i * 2, le));
    case 'uint32':
      return fill(new Uint32Array(n), (i) => view.getUint32(i * 4, le));
    case 'int32':
      return fill(new Int32Array(n), (i) => view.getInt32(i * 4, le));
    case 'float16':
      return fill(new Float32Array(n), (i) => halfToFloat(view.getUint16(i * 2, le)));
    case 'float32':
      return fill(new Float32Array(n), (i) => view.getFloat32(i * 4, le));
    case 'float64':
      return fill(new Float64Array(n), (i) => view.getFloat64(i * 8, le));
    case 'int64':
    case 'uint64':
      return fill(new Float64Array(n), (i) => {
        const v = info.dtype === 'int64' ? view.getBigInt64(i * 8, le) : view.getBigUint64(i * 8, le);
        const x = Number(v);
        return Number.isSafeInteger(x) ? x : overflow();
      });
  }
}

function fill<T extends PixelArray>(out: T, value: (i: number) => number): T {
  for (let i = 0; i < out.length; i++) out[i] = value(i);
  return out;
}

function halfToFloat(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exp = (h >> 10) & 0x1f;
  const frac = h & 0x3ff;
  if (exp === 0) return sign * 2 ** -14 * (frac / 1024);
  if (exp === 31) return frac ? NaN : sign * Infinity;
  return sign * 2 ** (exp - 15) * (1 + frac / 1024);
}

/** Fortran order stores the first axis fastest; rewrite into C order so `shape` reads the usual way. */
function fortranToC(src: PixelArray, shape: number[]): PixelArray {
  if (shape.length < 2) return src;
  const out = new (src.constructor as new (n: number) => PixelArray)(src.length);
  const nd = shape.length;
  // Fortran strides: stride[0] = 1, stride[k] = stride[k-1] * shape[k-1].
  const fStride = new Array<number>(nd);
  fStride[0] = 1;
  for (let k = 1; k < nd; k++) fStride[k] = fStride[k - 1] * shape[k - 1];
  const index = new Array<number>(nd).fill(0);
  for (let c = 0; c < src.length; c++) {
    let f = 0;
    for (let k = 0; k < nd; k++) f += index[k] * fStride[k];
    out[c] = src[f];
    for (let k = nd - 1; k >= 0; k--) {
      if (++index[k] < shape[k]) break;
      index[k] = 0;
    }
  }
  return out;
}
