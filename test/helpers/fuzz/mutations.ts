// Seeded mutations of real files for the reader fuzz harness: generic byte-level damage (bit flips, byte runs
// set to 0x00/0xFF, truncation, chunk duplication/deletion) and header integers set to extreme values, found
// by parsing just enough of each format to know where the size fields are. Containers (gzip, zip) are opened
// first when the field lives inside, and re-closed with valid checksums, so the damage reaches the parser
// instead of stopping at a CRC check.
import { gunzipSync, gzipSync } from 'node:zlib';
import { unzipSync, zipSync } from 'fflate';
import { crc32 } from '../../../src/data/io/zip-archive.js';

export type SeedFormat = 'dicom' | 'nifti' | 'npy' | 'npz' | 'png' | 'tiff' | 'gif' | 'jpeg';

export interface Mutation {
  bytes: Uint8Array;
  /** What was done, precise enough to reproduce by hand: `headerInt Number of Frames (0028,0008)=2147483647`. */
  description: string;
}

/** mulberry32: a small, fast, well-mixed 32-bit PRNG; the same seed gives the same mutations everywhere. */
export class Random {
  private state: number;
  constructor(seed: number) {
    this.state = seed >>> 0;
  }
  next(): number {
    let t = (this.state = (this.state + 0x6d2b79f5) >>> 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  int(n: number): number {
    return Math.floor(this.next() * n);
  }
  pick<T>(items: readonly T[]): T {
    return items[this.int(items.length)];
  }
  /** A position in [0, length), half the time inside the first KiB where headers live. */
  position(length: number): number {
    return this.next() < 0.5 ? this.int(Math.min(length, 1024)) : this.int(length);
  }
}

type Generic = (b: Uint8Array, r: Random) => Mutation;

const bitFlips: Generic = (b, r) => {
  const out = b.slice();
  const n = 1 + r.int(8);
  const at: number[] = [];
  for (let i = 0; i < n; i++) {
    const p = r.position(out.length);
    out[p] ^= 1 << r.int(8);
    at.push(p);
  }
  return { bytes: out, description: `bitFlips at ${at.join(',')}` };
};

const byteRun: Generic = (b, r) => {
  const out = b.slice();
  const value = r.next() < 0.5 ? 0x00 : 0xff;
  const start = r.position(out.length);
  const len = 1 + r.int(64);
  out.fill(value, start, Math.min(out.length, start + len));
  return { bytes: out, description: `byteRun 0x${value.toString(16).padStart(2, '0')} x${len} at ${start}` };
};

const truncate: Generic = (b, r) => {
  const at = r.next() < 0.3 ? r.int(Math.min(b.length, 1024)) : r.int(b.length);
  return { bytes: b.slice(0, at), description: `truncate to ${at} of ${b.length}` };
};

const duplicateChunk: Generic = (b, r) => {
  const from = r.position(b.length);
  const len = 1 + r.int(Math.min(4096, b.length - from));
  const to = r.position(b.length);
  const out = new Uint8Array(b.length + len);
  out.set(b.subarray(0, to), 0);
  out.set(b.subarray(from, from + len), to);
  out.set(b.subarray(to), to + len);
  return { bytes: out, description: `duplicateChunk [${from}, +${len}) at ${to}` };
};

const deleteChunk: Generic = (b, r) => {
  const from = r.position(b.length);
  const len = 1 + r.int(Math.min(4096, b.length - from));
  const out = new Uint8Array(b.length - len);
  out.set(b.subarray(0, from), 0);
  out.set(b.subarray(from + len), from);
  return { bytes: out, description: `deleteChunk [${from}, +${len})` };
};

const GENERIC: Generic[] = [bitFlips, byteRun, truncate, duplicateChunk, deleteChunk];

/** One mutation of `seed` (the bytes of a file of `format`): a third are header integers where the format has them. */
export function mutate(seed: Uint8Array, format: SeedFormat, r: Random): Mutation {
  if (r.next() < 0.35) {
    const header = headerMutation(seed, format, r);
    if (header) return header;
  }
  // Containers: half the generic damage goes inside (re-compressed with valid checksums).
  if (format === 'nifti' && isGzip(seed) && r.next() < 0.5) {
    const m = r.pick(GENERIC)(gunzipSync(seed), r);
    return { bytes: gzipSync(m.bytes), description: `inside gzip: ${m.description}` };
  }
  if (format === 'npz' && r.next() < 0.5) {
    const inner = insideNpz(seed, r, (member) => r.pick(GENERIC)(member, r));
    if (inner) return inner;
  }
  return r.pick(GENERIC)(seed, r);
}

function headerMutation(b: Uint8Array, format: SeedFormat, r: Random): Mutation | undefined {
  switch (format) {
    case 'dicom':
      return dicomHeader(b, r);
    case 'nifti':
      if (isGzip(b)) {
        const m = niftiHeader(gunzipSync(b), r);
        return m && { bytes: gzipSync(m.bytes), description: `inside gzip: ${m.description}` };
      }
      return niftiHeader(b, r);
    case 'npy':
      return npyHeader(b, r);
    case 'npz':
      return r.next() < 0.3 ? zipSizes(b, r) : insideNpz(b, r, (member) => npyHeader(member, r));
    case 'png':
      return pngHeader(b, r);
    case 'tiff':
      return tiffHeader(b, r);
    case 'gif':
      return gifHeader(b, r);
    case 'jpeg':
      return jpegHeader(b, r);
  }
}

function isGzip(b: Uint8Array): boolean {
  return b.length > 2 && b[0] === 0x1f && b[1] === 0x8b;
}

// ---------------------------------------------------------------------------------------------------------
// DICOM

const US_EXTREMES = [0, 1, 2, 3, 7, 8, 12, 15, 16, 17, 31, 32, 33, 64, 255, 0x7fff, 0x8000, 0xffff];
const FRAME_EXTREMES = [
  '0',
  '-1',
  '2',
  '3',
  '255',
  '65535',
  '1000000',
  '2147483647',
  '4294967296',
  '99999999999',
  '1e9',
  'NaN',
];
const DICOM_US: Array<[number, number, string]> = [
  [0x0028, 0x0010, 'Rows'],
  [0x0028, 0x0011, 'Columns'],
  [0x0028, 0x0100, 'Bits Allocated'],
  [0x0028, 0x0101, 'Bits Stored'],
  [0x0028, 0x0102, 'High Bit'],
  [0x0028, 0x0002, 'Samples per Pixel'],
  [0x0028, 0x0103, 'Pixel Representation'],
  [0x0028, 0x0006, 'Planar Configuration'],
];
const LONG_VRS = new Set(['OB', 'OW', 'OF', 'OD', 'OL', 'OV', 'SQ', 'UT', 'UN', 'UC', 'UR', 'SV', 'UV']);

interface Located {
  /** Offset of the tag. */
  at: number;
  explicit: boolean;
  bigEndian: boolean;
  lengthAt: number;
  lengthSize: 2 | 4;
  valueAt: number;
  length: number;
}

/** Finds an element by its tag bytes (either byte order) and reads its header the way the file encodes it. */
function locate(b: Uint8Array, group: number, element: number, from = 0): Located | undefined {
  const view = new DataView(b.buffer, b.byteOffset, b.byteLength);
  for (let p = from; p + 8 <= b.length; p++) {
    for (const bigEndian of [false, true]) {
      if (view.getUint16(p, !bigEndian) !== group || view.getUint16(p + 2, !bigEndian) !== element) continue;
      const vr = String.fromCharCode(b[p + 4], b[p + 5]);
      const explicit = /^[A-Z]{2}$/.test(vr);
      let found: Located;
      if (!explicit) found = { at: p, explicit, bigEndian, lengthAt: p + 4, lengthSize: 4, valueAt: p + 8, length: 0 };
      else if (LONG_VRS.has(vr)) {
        if (p + 12 > b.length) continue;
        found = { at: p, explicit, bigEndian, lengthAt: p + 8, lengthSize: 4, valueAt: p + 12, length: 0 };
      } else found = { at: p, explicit, bigEndian, lengthAt: p + 6, lengthSize: 2, valueAt: p + 8, length: 0 };
      found.length =
        found.lengthSize === 2
          ? view.getUint16(found.lengthAt, !bigEndian)
          : view.getUint32(found.lengthAt, !bigEndian);
      if (found.length !== 0xffffffff && found.valueAt + found.length > b.length) continue;
      return found;
    }
  }
  return undefined;
}

function dicomHeader(b: Uint8Array, r: Random): Mutation | undefined {
  const choice = r.int(10);
  if (choice < 4) return numberOfFrames(b, r);
  if (choice < 8) {
    const [group, element, name] = r.pick(DICOM_US);
    const el = locate(b, group, element, 128);
    if (!el || el.length !== 2) return undefined;
    const value = r.pick(US_EXTREMES);
    const out = withUsValue(b, group, element, value)!;
    return { bytes: out, description: `headerInt ${name} (${hex(group)},${hex(element)})=${value}` };
  }
  if (choice < 9) {
    const el = locate(b, 0x7fe0, 0x0010, 128);
    if (!el || el.lengthSize !== 4) return undefined;
    const value = r.pick([0, 1, 2, 3, el.length + 1, el.length * 2, Math.floor(el.length / 2), 0x7fffffff, 0xfffffffe]);
    const out = b.slice();
    new DataView(out.buffer).setUint32(el.lengthAt, value >>> 0, !el.bigEndian);
    return { bytes: out, description: `headerInt Pixel Data (7FE0,0010) length=${value}` };
  }
  // Encapsulated items: Basic Offset Table or a fragment length.
  const pixel = locate(b, 0x7fe0, 0x0010, 128);
  if (!pixel || pixel.length !== 0xffffffff) return undefined;
  const items: number[] = [];
  for (let p = pixel.valueAt; p + 8 <= b.length; p++)
    if (b[p] === 0xfe && b[p + 1] === 0xff && b[p + 2] === 0x00 && b[p + 3] === 0xe0) items.push(p);
  if (items.length === 0) return undefined;
  const item = r.pick(items);
  const value = r.pick([0, 1, 4, 8, 0x7fffffff, 0xfffffffe, 0xffffffff]);
  const out = b.slice();
  new DataView(out.buffer).setUint32(item + 4, value >>> 0, true);
  return { bytes: out, description: `headerInt encapsulated item at ${item} length=${value}` };
}

function numberOfFrames(b: Uint8Array, r: Random): Mutation | undefined {
  const text = r.pick(FRAME_EXTREMES);
  const bytes = withNumberOfFrames(b, text);
  if (!bytes) return undefined;
  const inserted = !locate(b, 0x0028, 0x0008, 128);
  return { bytes, description: `headerInt Number of Frames (0028,0008)=${text}${inserted ? ' (inserted)' : ''}` };
}

/**
 * A copy of a DICOM file with Number of Frames (0028,0008) set to `text` (an IS string), inserted before Rows
 * when the file has none (single-frame files); undefined when the file has no Rows element to go by.
 */
export function withNumberOfFrames(b: Uint8Array, text: string): Uint8Array | undefined {
  const value = new TextEncoder().encode(text.length % 2 ? `${text} ` : text);
  const existing = locate(b, 0x0028, 0x0008, 128);
  const where = existing ?? locate(b, 0x0028, 0x0010, 128);
  if (!where || where.length === 0xffffffff) return undefined;
  const header = new Uint8Array(8); // tag, then VR + 2-byte length (explicit) or a 4-byte length (implicit)
  const hv = new DataView(header.buffer);
  hv.setUint16(0, 0x0028, !where.bigEndian);
  hv.setUint16(2, 0x0008, !where.bigEndian);
  if (where.explicit) {
    header[4] = 0x49; // 'I'
    header[5] = 0x53; // 'S'
    hv.setUint16(6, value.length, !where.bigEndian);
  } else hv.setUint32(4, value.length, !where.bigEndian);
  const cutFrom = where.at;
  const cutTo = existing ? existing.valueAt + existing.length : where.at;
  const out = new Uint8Array(b.length - (cutTo - cutFrom) + header.length + value.length);
  out.set(b.subarray(0, cutFrom), 0);
  out.set(header, cutFrom);
  out.set(value, cutFrom + header.length);
  out.set(b.subarray(cutTo), cutFrom + header.length + value.length);
  return out;
}

/** A copy of a DICOM file with the US element (group, element) set to `value`; undefined if it has none. */
export function withUsValue(b: Uint8Array, group: number, element: number, value: number): Uint8Array | undefined {
  const el = locate(b, group, element, 128);
  if (!el || el.length !== 2) return undefined;
  const out = b.slice();
  new DataView(out.buffer).setUint16(el.valueAt, value, !el.bigEndian);
  return out;
}

function hex(n: number): string {
  return n.toString(16).toUpperCase().padStart(4, '0');
}

// ---------------------------------------------------------------------------------------------------------
// NIfTI

const I16_EXTREMES = [0, -1, 1, 2, 3, 4, 5, 7, 8, 255, 32767, -32768];
const DATATYPE_EXTREMES = [0, 1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 768, 1024, 1280, 1536, 2048, 2304, 32767, -1];

function niftiHeader(b: Uint8Array, r: Random): Mutation | undefined {
  if (b.length < 348) return undefined;
  const out = b.slice();
  const v = new DataView(out.buffer);
  const le = v.getInt32(0, true) === 348 || v.getInt32(0, true) === 540;
  const version = v.getInt32(0, le) === 540 ? 2 : 1;
  if (version === 2 && b.length < 540) return undefined;
  const field = r.pick(['dim', 'dim', 'dim', 'datatype', 'bitpix', 'vox_offset', 'vox_offset', 'scl_slope'] as const);
  let description: string;
  if (field === 'dim') {
    const i = r.int(8);
    if (version === 1) {
      const value = r.pick(I16_EXTREMES);
      v.setInt16(40 + 2 * i, value, le);
      description = `dim[${i}]=${value}`;
    } else {
      const value = r.pick([0n, -1n, 1n, 7n, 8n, 32767n, 2n ** 31n, 2n ** 53n, 2n ** 62n, -(2n ** 63n)]);
      v.setBigInt64(16 + 8 * i, value, le);
      description = `dim[${i}]=${value}`;
    }
  } else if (field === 'datatype' || field === 'bitpix') {
    const value = r.pick(DATATYPE_EXTREMES);
    v.setInt16(version === 1 ? (field === 'datatype' ? 70 : 72) : field === 'datatype' ? 12 : 14, value, le);
    description = `${field}=${value}`;
  } else if (field === 'vox_offset') {
    if (version === 1) {
      const value = r.pick([0, -1, NaN, Infinity, 1e30, 348, 352.5, 2 ** 31, b.length, b.length + 1]);
      v.setFloat32(108, value, le);
      description = `vox_offset=${value}`;
    } else {
      const value = r.pick([0n, -1n, 540n, 2n ** 31n, 2n ** 62n, BigInt(b.length), BigInt(b.length + 1)]);
      v.setBigInt64(168, value, le);
      description = `vox_offset=${value}`;
    }
  } else {
    const value = r.pick([NaN, Infinity, 0, -1e38, 1e38]);
    if (version === 1) v.setFloat32(112, value, le);
    else v.setFloat64(176, value, le);
    description = `scl_slope=${value}`;
  }
  return { bytes: out, description: `headerInt NIfTI-${version} ${description}` };
}

// ---------------------------------------------------------------------------------------------------------
// NumPy

const SHAPES = [
  '()',
  '(0,)',
  '(-1,)',
  '(1,)',
  '(99999999999,)',
  '(4294967296, 28, 28)',
  '(2147483647, 2147483647)',
  '(28, 28, 99999)',
  '(18446744073709551616,)',
  '(1e9,)',
  '(3, -3)',
  '(0, 0, 0)',
];
const DESCRS = ['<f16', '|V8', '<u8', '>f8', '|b1', '<c16', 'O', '<f2', '>i2', '|u1'];

function npyHeader(b: Uint8Array, r: Random): Mutation | undefined {
  if (b.length < 10 || b[0] !== 0x93) return undefined;
  const major = b[6];
  const start = major === 1 ? 10 : 12;
  const v = new DataView(b.buffer, b.byteOffset, b.byteLength);
  const len = major === 1 ? v.getUint16(8, true) : v.getUint32(8, true);
  if (start + len > b.length) return undefined;
  if (r.next() < 0.15) {
    const out = b.slice();
    const value = r.pick([0, 1, len + 1, len - 1, 0xffff]);
    new DataView(out.buffer).setUint16(8, value, true);
    return { bytes: out, description: `headerInt npy header_len=${value}` };
  }
  let header = new TextDecoder('latin1').decode(b.subarray(start, start + len));
  let description: string;
  const which = r.int(3);
  if (which === 0 || !/'descr'/.test(header)) {
    const shape = r.pick(SHAPES);
    header = header.replace(/'shape'\s*:\s*\([^)]*\)/, `'shape': ${shape}`);
    description = `shape=${shape}`;
  } else if (which === 1) {
    const descr = r.pick(DESCRS);
    header = header.replace(/'descr'\s*:\s*'[^']*'/, `'descr': '${descr}'`);
    description = `descr=${descr}`;
  } else {
    header = header.replace(
      /'fortran_order'\s*:\s*(True|False)/,
      (_, f) => `'fortran_order': ${f === 'True' ? 'False' : 'True'}`,
    );
    description = 'fortran_order flipped';
  }
  const encoded = Uint8Array.from(header, (c) => c.charCodeAt(0) & 0xff);
  const out = new Uint8Array(start + encoded.length + b.length - start - len);
  out.set(b.subarray(0, start), 0);
  out.set(encoded, start);
  out.set(b.subarray(start + len), start + encoded.length);
  const ov = new DataView(out.buffer);
  if (major === 1) ov.setUint16(8, encoded.length, true);
  else ov.setUint32(8, encoded.length, true);
  return { bytes: out, description: `headerInt npy ${description}` };
}

/** Applies `change` to one member of an npz and re-zips (stored, so sizes and CRCs are all valid). */
function insideNpz(
  b: Uint8Array,
  r: Random,
  change: (member: Uint8Array) => Mutation | undefined,
): Mutation | undefined {
  let members: Record<string, Uint8Array>;
  try {
    members = unzipSync(b);
  } catch {
    return undefined;
  }
  const names = Object.keys(members);
  if (names.length === 0) return undefined;
  const name = r.pick(names);
  const m = change(members[name]);
  if (!m) return undefined;
  members[name] = m.bytes;
  return { bytes: zipSync(members, { level: 0 }), description: `inside npz member ${name}: ${m.description}` };
}

/** Size fields of the zip central directory (what an archive declares it will inflate to). */
function zipSizes(b: Uint8Array, r: Random): Mutation | undefined {
  const v = new DataView(b.buffer, b.byteOffset, b.byteLength);
  const entries: number[] = [];
  for (let p = 0; p + 46 <= b.length; p++) if (v.getUint32(p, true) === 0x02014b50) entries.push(p);
  if (entries.length === 0) return undefined;
  const p = r.pick(entries);
  const field = r.pick([
    ['compressed size', 20],
    ['uncompressed size', 24],
    ['local header offset', 42],
  ] as const);
  const value = r.pick([0, 1, 0x7fffffff, 0xfffffffe, 0xffffffff]);
  const out = b.slice();
  new DataView(out.buffer).setUint32(p + field[1], value >>> 0, true);
  return { bytes: out, description: `headerInt zip central directory ${field[0]} at ${p}=${value}` };
}

// ---------------------------------------------------------------------------------------------------------
// Raster images

const DIM_EXTREMES = [0, 1, 2, 0x7fff, 0xffff, 0x10000, 0x7fffffff, 0xffffffff];

function pngHeader(b: Uint8Array, r: Random): Mutation | undefined {
  if (b.length < 33) return undefined;
  const out = b.slice();
  const v = new DataView(out.buffer);
  const field = r.pick([
    ['width', 16, 4],
    ['height', 20, 4],
    ['bit depth', 24, 1],
    ['colour type', 25, 1],
  ] as const);
  const value = field[2] === 4 ? r.pick(DIM_EXTREMES) : r.pick([0, 1, 2, 3, 4, 6, 7, 8, 16, 255]);
  if (field[2] === 4) v.setUint32(field[1], value >>> 0);
  else out[field[1]] = value;
  v.setUint32(29, crc32(out.subarray(12, 29))); // IHDR's CRC stays valid, so the decoder sees the value
  return { bytes: out, description: `headerInt PNG IHDR ${field[0]}=${value}` };
}

function tiffHeader(b: Uint8Array, r: Random): Mutation | undefined {
  if (b.length < 8) return undefined;
  const le = b[0] === 0x49;
  const v = new DataView(b.buffer, b.byteOffset, b.byteLength);
  const ifd = v.getUint32(4, le);
  if (ifd + 2 > b.length) return undefined;
  const count = v.getUint16(ifd, le);
  const wanted = new Map([
    [256, 'ImageWidth'],
    [257, 'ImageLength'],
    [258, 'BitsPerSample'],
    [277, 'SamplesPerPixel'],
    [278, 'RowsPerStrip'],
    [273, 'StripOffsets'],
    [279, 'StripByteCounts'],
  ]);
  const entries: Array<{ at: number; tag: number; type: number }> = [];
  for (let i = 0; i < count && ifd + 2 + 12 * (i + 1) <= b.length; i++) {
    const at = ifd + 2 + 12 * i;
    const tag = v.getUint16(at, le);
    if (wanted.has(tag)) entries.push({ at, tag, type: v.getUint16(at + 2, le) });
  }
  if (entries.length === 0) return undefined;
  const e = r.pick(entries);
  const out = b.slice();
  const ov = new DataView(out.buffer);
  const value = r.pick(DIM_EXTREMES);
  if (e.type === 3) ov.setUint16(e.at + 8, value & 0xffff, le);
  else ov.setUint32(e.at + 8, value >>> 0, le);
  return { bytes: out, description: `headerInt TIFF ${wanted.get(e.tag)}=${e.type === 3 ? value & 0xffff : value}` };
}

function gifHeader(b: Uint8Array, r: Random): Mutation | undefined {
  if (b.length < 13) return undefined;
  const out = b.slice();
  const v = new DataView(out.buffer);
  // Logical screen at 6/8; the first image descriptor (0x2C) after the colour table holds the frame size.
  const descriptor = out.indexOf(0x2c, 13);
  const fields: Array<[string, number]> = [
    ['screen width', 6],
    ['screen height', 8],
  ];
  if (descriptor > 0 && descriptor + 9 <= out.length)
    fields.push(['image width', descriptor + 5], ['image height', descriptor + 7]);
  const [name, at] = r.pick(fields);
  const value = r.pick([0, 1, 0x7fff, 0xffff]);
  v.setUint16(at, value, true);
  return { bytes: out, description: `headerInt GIF ${name}=${value}` };
}

function jpegHeader(b: Uint8Array, r: Random): Mutation | undefined {
  for (let p = 2; p + 9 < b.length;) {
    if (b[p] !== 0xff) return undefined;
    const marker = b[p + 1];
    if (marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc) {
      const out = b.slice();
      const v = new DataView(out.buffer);
      const field = r.pick([
        ['height', p + 5, 2],
        ['width', p + 7, 2],
        ['precision', p + 4, 1],
        ['components', p + 9, 1],
      ] as const);
      const value = field[2] === 2 ? r.pick([0, 1, 0x7fff, 0xffff]) : r.pick([0, 1, 2, 4, 8, 12, 16, 255]);
      if (field[2] === 2) v.setUint16(field[1], value);
      else out[field[1]] = value;
      return { bytes: out, description: `headerInt JPEG SOF ${field[0]}=${value}` };
    }
    p += 2 + ((b[p + 2] << 8) | b[p + 3]);
  }
  return undefined;
}
