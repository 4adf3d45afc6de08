/**
 * The Hugging Face safetensors file format, read and written in plain TypeScript (no native code), so
 * checkpoints move freely between medattn and PyTorch/`safetensors`:
 *
 *   [8 bytes: header length N, u64 little-endian]
 *   [N bytes: JSON {"name": {"dtype", "shape", "data_offsets": [begin, end]}, "__metadata__": {str: str}},
 *             padded with spaces so the data starts 8-byte aligned]
 *   [data: raw little-endian tensors; offsets are relative to the start of the data section]
 *
 * The writer lays tensors out the way the Rust/Python library does (largest dtype alignment first, then by
 * name, header entries in data order, compact JSON, "__metadata__" first), so without metadata (or with one
 * key) the bytes equal the library's; the library orders several metadata keys by hash, we keep them as given.
 * The reader applies the library's checks: header in range, valid JSON, known dtypes, each tensor's byte
 * length equal to its shape's, and the tensors covering the data section exactly (no overlap, no gap).
 */
import { UserError } from '../user-error.js';
import { closeSync, fsyncSync, openSync, readFileSync, renameSync, unlinkSync, writeSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { randomBytes } from 'node:crypto';

export type SafetensorsDtype = 'F64' | 'F32' | 'F16' | 'BF16' | 'I64' | 'I32' | 'I16' | 'I8' | 'U8' | 'BOOL';

/** One tensor: its dtype, its shape ([] for a scalar) and its raw little-endian bytes. */
export interface SafetensorRecord {
  dtype: SafetensorsDtype;
  shape: number[];
  data: Uint8Array;
}

export interface SafetensorsContent {
  tensors: Record<string, SafetensorRecord>;
  metadata: Record<string, string>;
}

/** A malformed file or an unwritable record. `file` is the path, or '<buffer>' for in-memory bytes. */
export class SafetensorsError extends UserError {
  constructor(
    readonly file: string,
    problem: string,
  ) {
    super(`${file}: ${problem}`);
  }
}

/**
 * Bytes per element, and the rank the Rust `Dtype` enum gives each dtype (its declaration order, which is
 * ordered by alignment): the writer sorts by descending rank, then by name.
 */
const DTYPES: Record<SafetensorsDtype, { size: number; rank: number }> = {
  BOOL: { size: 1, rank: 0 },
  U8: { size: 1, rank: 1 },
  I8: { size: 1, rank: 2 },
  I16: { size: 2, rank: 3 },
  F16: { size: 2, rank: 4 },
  BF16: { size: 2, rank: 5 },
  I32: { size: 4, rank: 6 },
  F32: { size: 4, rank: 7 },
  F64: { size: 8, rank: 8 },
  I64: { size: 8, rank: 9 },
};

/** The Rust library refuses headers above 100 MB; so do we (a corrupt length would otherwise allocate GBs). */
const MAX_HEADER = 100_000_000;
const METADATA_KEY = '__metadata__';

function isDtype(x: unknown): x is SafetensorsDtype {
  return typeof x === 'string' && Object.prototype.hasOwnProperty.call(DTYPES, x);
}

function elementCount(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

/** Rust orders strings by UTF-8 bytes; JS `<` compares UTF-16 units, which differs above U+FFFF. */
function compareUtf8(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
}

/** Serialises tensors (and optional string metadata) into the bytes of a .safetensors file. */
export function encodeSafetensors(
  tensors: Record<string, SafetensorRecord>,
  metadata?: Record<string, string>,
  file = '<buffer>',
): Uint8Array {
  const names = Object.keys(tensors);
  for (const name of names) {
    const t = tensors[name];
    if (name === METADATA_KEY) throw new SafetensorsError(file, `'${METADATA_KEY}' cannot be a tensor name`);
    if (!isDtype(t.dtype)) throw new SafetensorsError(file, `tensor '${name}' has unknown dtype ${String(t.dtype)}`);
    if (!Array.isArray(t.shape) || t.shape.some((d) => !Number.isSafeInteger(d) || d < 0)) {
      throw new SafetensorsError(file, `tensor '${name}' has invalid shape ${JSON.stringify(t.shape)}`);
    }
    const expected = elementCount(t.shape) * DTYPES[t.dtype].size;
    if (t.data.byteLength !== expected) {
      throw new SafetensorsError(
        file,
        `tensor '${name}' has ${t.data.byteLength} bytes, ${t.dtype} [${t.shape.join(', ')}] needs ${expected}`,
      );
    }
  }
  if (metadata) {
    for (const [k, v] of Object.entries(metadata)) {
      if (typeof v !== 'string') throw new SafetensorsError(file, `metadata '${k}' must be a string, got ${typeof v}`);
    }
  }
  names.sort((a, b) => DTYPES[tensors[b].dtype].rank - DTYPES[tensors[a].dtype].rank || compareUtf8(a, b));

  // Build the header text entry by entry: an object literal would move integer-like names ("0", "1") first.
  const parts: string[] = [];
  if (metadata) parts.push(`${JSON.stringify(METADATA_KEY)}:${JSON.stringify(metadata)}`);
  let offset = 0;
  for (const name of names) {
    const t = tensors[name];
    const end = offset + t.data.byteLength;
    parts.push(
      `${JSON.stringify(name)}:${JSON.stringify({ dtype: t.dtype, shape: t.shape, data_offsets: [offset, end] })}`,
    );
    offset = end;
  }
  const json = Buffer.from(`{${parts.join(',')}}`, 'utf8');
  const padded = json.length + ((8 - (json.length % 8)) % 8);
  const out = new Uint8Array(8 + padded + offset);
  new DataView(out.buffer).setBigUint64(0, BigInt(padded), true);
  out.set(json, 8);
  out.fill(0x20, 8 + json.length, 8 + padded);
  let pos = 8 + padded;
  for (const name of names) {
    out.set(tensors[name].data, pos);
    pos += tensors[name].data.byteLength;
  }
  return out;
}

/**
 * Parses the bytes of a .safetensors file. Tensor data are copies (aligned, independent of `bytes`).
 * `file` names the source in error messages.
 */
export function decodeSafetensors(bytes: Uint8Array, file = '<buffer>'): SafetensorsContent {
  if (bytes.byteLength < 8) {
    throw new SafetensorsError(file, `file is ${bytes.byteLength} bytes, too short for the 8-byte header length`);
  }
  const headerLength = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getBigUint64(0, true);
  if (headerLength > BigInt(MAX_HEADER)) {
    throw new SafetensorsError(file, `header length ${headerLength} exceeds the ${MAX_HEADER}-byte limit`);
  }
  const n = Number(headerLength);
  if (8 + n > bytes.byteLength) {
    throw new SafetensorsError(file, `header length ${n} runs past the end of the ${bytes.byteLength}-byte file`);
  }
  let header: unknown;
  try {
    const text = new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(8, 8 + n));
    if (!text.startsWith('{')) throw new Error('header does not start with "{"');
    header = JSON.parse(text);
  } catch (e) {
    throw new SafetensorsError(file, `malformed JSON header (${oneLine((e as Error).message)})`);
  }
  if (typeof header !== 'object' || header === null || Array.isArray(header)) {
    throw new SafetensorsError(file, 'header is not a JSON object');
  }
  const dataStart = 8 + n;
  const dataLength = bytes.byteLength - dataStart;
  const metadata: Record<string, string> = {};
  const entries: { name: string; dtype: SafetensorsDtype; shape: number[]; begin: number; end: number }[] = [];
  for (const [name, value] of Object.entries(header as Record<string, unknown>)) {
    if (name === METADATA_KEY) {
      if (value === null) continue;
      if (typeof value !== 'object' || Array.isArray(value)) {
        throw new SafetensorsError(file, `'${METADATA_KEY}' is not an object of strings`);
      }
      for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
        if (typeof v !== 'string') throw new SafetensorsError(file, `metadata '${k}' is not a string`);
        metadata[k] = v;
      }
      continue;
    }
    const info = value as { dtype?: unknown; shape?: unknown; data_offsets?: unknown } | null;
    if (typeof info !== 'object' || info === null)
      throw new SafetensorsError(file, `tensor '${name}' is not an object`);
    if (!isDtype(info.dtype))
      throw new SafetensorsError(file, `tensor '${name}' has unknown dtype ${JSON.stringify(info.dtype)}`);
    const shape = info.shape;
    if (!Array.isArray(shape) || shape.some((d) => !Number.isSafeInteger(d) || d < 0)) {
      throw new SafetensorsError(file, `tensor '${name}' has invalid shape ${JSON.stringify(shape)}`);
    }
    const offsets = info.data_offsets;
    if (!Array.isArray(offsets) || offsets.length !== 2 || offsets.some((o) => !Number.isSafeInteger(o) || o < 0)) {
      throw new SafetensorsError(file, `tensor '${name}' has invalid data_offsets ${JSON.stringify(offsets)}`);
    }
    const [begin, end] = offsets as [number, number];
    if (begin > end || end > dataLength) {
      throw new SafetensorsError(
        file,
        `tensor '${name}' data_offsets [${begin}, ${end}] out of range of the ${dataLength}-byte data section`,
      );
    }
    const expected = elementCount(shape) * DTYPES[info.dtype].size;
    if (end - begin !== expected) {
      throw new SafetensorsError(
        file,
        `tensor '${name}' spans ${end - begin} bytes, ${info.dtype} [${shape.join(', ')}] needs ${expected}`,
      );
    }
    entries.push({ name, dtype: info.dtype, shape: shape as number[], begin, end });
  }
  // Tensors must tile the data section: sorted by offset, each starts where the previous ended.
  const sorted = [...entries].sort((a, b) => a.begin - b.begin || a.end - b.end);
  let cursor = 0;
  let previous = '';
  for (const e of sorted) {
    if (e.begin < cursor) throw new SafetensorsError(file, `tensor '${e.name}' overlaps tensor '${previous}'`);
    if (e.begin > cursor) throw new SafetensorsError(file, `data section has unused bytes [${cursor}, ${e.begin})`);
    cursor = e.end;
    previous = e.name;
  }
  if (cursor !== dataLength) {
    throw new SafetensorsError(file, `data section has ${dataLength - cursor} unused trailing bytes`);
  }
  const tensors: Record<string, SafetensorRecord> = {};
  for (const e of entries) {
    tensors[e.name] = {
      dtype: e.dtype,
      shape: e.shape,
      data: new Uint8Array(bytes.subarray(dataStart + e.begin, dataStart + e.end)),
    };
  }
  return { tensors, metadata };
}

function oneLine(s: string): string {
  return s.replace(/\s*\n\s*/g, ' ');
}

/**
 * Writes a .safetensors file atomically: the bytes go to a temporary file in the same directory, are
 * fsynced, and the temporary file is renamed over `path` (then the directory is fsynced so the rename
 * itself survives a crash). An interrupted write leaves the old file, never a half-written checkpoint.
 */
export function writeSafetensorsFile(
  path: string,
  tensors: Record<string, SafetensorRecord>,
  metadata?: Record<string, string>,
): void {
  const bytes = encodeSafetensors(tensors, metadata, path);
  const dir = dirname(path);
  const tmp = join(dir, `.${basename(path)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  let fd: number | undefined;
  try {
    fd = openSync(tmp, 'wx', 0o644);
    let written = 0;
    while (written < bytes.byteLength) written += writeSync(fd, bytes, written, bytes.byteLength - written);
    fsyncSync(fd);
    closeSync(fd);
    fd = undefined;
    renameSync(tmp, path);
  } catch (e) {
    if (fd !== undefined) closeSync(fd);
    try {
      unlinkSync(tmp);
    } catch {
      // The temp file may never have been created.
    }
    if (e instanceof SafetensorsError) throw e;
    throw new SafetensorsError(path, `cannot write (${oneLine((e as Error).message)})`);
  }
  try {
    const dfd = openSync(dir, 'r');
    try {
      fsyncSync(dfd);
    } finally {
      closeSync(dfd);
    }
  } catch {
    // Some platforms cannot fsync a directory; the data itself is already durable.
  }
}

/** Reads and validates a .safetensors file; errors name the file. */
export function readSafetensorsFile(path: string): SafetensorsContent {
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(path);
  } catch (e) {
    throw new SafetensorsError(path, `cannot read (${oneLine((e as Error).message)})`);
  }
  return decodeSafetensors(bytes, path);
}

type TypedArrayFor<D extends SafetensorsDtype> = D extends 'F64'
  ? Float64Array
  : D extends 'F32'
    ? Float32Array
    : D extends 'I64'
      ? BigInt64Array
      : D extends 'I32'
        ? Int32Array
        : D extends 'I16'
          ? Int16Array
          : D extends 'I8'
            ? Int8Array
            : D extends 'F16' | 'BF16'
              ? Uint16Array
              : Uint8Array;

const VIEWS = {
  F64: Float64Array,
  F32: Float32Array,
  I64: BigInt64Array,
  I32: Int32Array,
  I16: Int16Array,
  I8: Int8Array,
  F16: Uint16Array, // raw half-precision bit patterns
  BF16: Uint16Array, // raw bfloat16 bit patterns
  U8: Uint8Array,
  BOOL: Uint8Array,
} as const;

/** A record from a typed array (copied; little-endian hosts only, which is every platform Node runs on). */
export function safetensorFromArray<D extends SafetensorsDtype>(
  dtype: D,
  shape: number[],
  values: TypedArrayFor<D>,
): SafetensorRecord {
  const v = values as unknown as ArrayBufferView;
  return { dtype, shape, data: new Uint8Array(v.buffer, v.byteOffset, v.byteLength).slice() };
}

/** The record's values as a typed array of its dtype (F16/BF16 as raw Uint16 bit patterns). */
export function safetensorToArray<D extends SafetensorsDtype>(
  record: SafetensorRecord & { dtype: D },
): TypedArrayFor<D> {
  const View = VIEWS[record.dtype] as unknown as new (b: ArrayBufferLike, o: number, n: number) => unknown;
  const size = DTYPES[record.dtype].size;
  const data = record.data.byteOffset % size === 0 ? record.data : new Uint8Array(record.data);
  return new View(data.buffer, data.byteOffset, data.byteLength / size) as unknown as TypedArrayFor<D>;
}
