/**
 * A folder of PhysioNet 2012 records and its outcomes file, parsed once and kept as one binary cache file
 * (`$MEDATTN_CACHE_DIR`, else `$XDG_CACHE_HOME/medattn`, else `~/.cache/medattn`): 4,000 text files take seconds
 * to parse, the cache milliseconds to read. The cache key covers every file's name, size and mtime, so an edited
 * or added record is parsed again.
 */
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { MedattnDataError } from '../io/errors.js';
import type { SkippedFile } from '../datasets/dataset.js';
import { parseCsv } from '../datasets/csv-table.js';
import { parseIcuRecord, type IcuRecord } from './physionet2012-record.js';
import { ICU_DESCRIPTORS } from './physionet2012-variables.js';

export interface IcuRecordSet {
  records: IcuRecord[];
  skipped: SkippedFile[];
}

export interface LoadIcuRecordsOptions {
  /** Leave unreadable records out and list them instead of throwing. */
  skipBad?: boolean;
  /** Cache folder; false for no cache. */
  cacheDir?: string | false;
}

const CACHE_VERSION = 'medattn-icu-cache-1';

export function defaultIcuCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env.MEDATTN_CACHE_DIR?.trim()) return resolve(env.MEDATTN_CACHE_DIR.trim());
  const xdg = env.XDG_CACHE_HOME?.trim();
  return join(xdg ? resolve(xdg) : join(homedir(), '.cache'), 'medattn');
}

/** Every `*.txt` record of `folder`, sorted by name, parsed (or read from the cache). */
export function loadIcuRecords(folder: string, options: LoadIcuRecordsOptions = {}): IcuRecordSet {
  if (!existsSync(folder) || !statSync(folder).isDirectory())
    throw new MedattnDataError(folder, 'records: not a folder of RECORDID.txt files');
  const names = readdirSync(folder)
    .filter((n) => n.toLowerCase().endsWith('.txt'))
    .sort();
  if (names.length === 0) throw new MedattnDataError(folder, 'records: no .txt record files in this folder');
  const hash = createHash('sha256').update(`${CACHE_VERSION}\n${resolve(folder)}\n${options.skipBad ? 1 : 0}\n`);
  for (const n of names) {
    const s = statSync(join(folder, n));
    hash.update(`${n}\t${s.size}\t${s.mtimeMs}\n`);
  }
  const cacheDir = options.cacheDir === undefined ? defaultIcuCacheDir() : options.cacheDir;
  const cacheFile = cacheDir ? join(cacheDir, `physionet2012-${hash.digest('hex').slice(0, 20)}.bin`) : undefined;
  if (cacheFile && existsSync(cacheFile)) {
    const cached = readCache(cacheFile);
    if (cached) return cached;
  }
  const records: IcuRecord[] = [];
  const skipped: SkippedFile[] = [];
  for (const n of names) {
    const file = join(folder, n);
    try {
      records.push(parseIcuRecord(readFileSync(file, 'utf8'), file));
    } catch (e) {
      if (!options.skipBad || !(e instanceof MedattnDataError)) throw e;
      skipped.push({ file, reason: e.reason });
    }
  }
  const set = { records, skipped };
  if (cacheFile) writeCache(cacheFile, set);
  return set;
}

/**
 * The outcomes file (`RecordID,...,In-hospital_death`): record id -> 0/1. A missing column, a non-0/1 outcome
 * or a repeated record is an error naming the file and line.
 */
export function readIcuOutcomes(file: string, column = 'In-hospital_death'): Map<string, number> {
  if (!existsSync(file)) throw new MedattnDataError(file, 'outcomes: no such file');
  const table = parseCsv(readFileSync(file, 'utf8'), file);
  const idCol = table.header.indexOf('RecordID');
  const yCol = table.header.indexOf(column);
  if (idCol < 0 || yCol < 0)
    throw new MedattnDataError(file, `outcomes: needs columns RecordID and ${column}, got ${table.header.join(',')}`);
  const out = new Map<string, number>();
  for (const { line, cells } of table.rows) {
    const id = cells[idCol]?.trim();
    const y = cells[yCol]?.trim();
    if (y !== '0' && y !== '1') throw new MedattnDataError(`${file}:${line}`, `${column} must be 0 or 1, got '${y}'`);
    if (out.has(id)) throw new MedattnDataError(`${file}:${line}`, `record ${id} listed twice`);
    out.set(id, Number(y));
  }
  return out;
}

// Cache layout: u32 length of a JSON header (ids, observation counts, skipped), the header, then per record
// descriptors (f32 x 5), minutes (f32), values (f32), variables (u8), each padded to 4 bytes.
function writeCache(file: string, set: IcuRecordSet): void {
  const header = Buffer.from(
    JSON.stringify({
      version: CACHE_VERSION,
      ids: set.records.map((r) => r.id),
      counts: set.records.map((r) => r.values.length),
      skipped: set.skipped,
    }),
  );
  const parts: Uint8Array[] = [new Uint8Array(Uint32Array.of(header.length).buffer), header];
  const pad = (n: number) => new Uint8Array((4 - (n % 4)) % 4);
  parts.push(pad(header.length));
  for (const r of set.records) {
    parts.push(new Uint8Array(r.descriptors.buffer, r.descriptors.byteOffset, r.descriptors.byteLength));
    parts.push(new Uint8Array(r.minutes.buffer, r.minutes.byteOffset, r.minutes.byteLength));
    parts.push(new Uint8Array(r.values.buffer, r.values.byteOffset, r.values.byteLength));
    parts.push(r.variables, pad(r.variables.length));
  }
  try {
    mkdirSync(join(file, '..'), { recursive: true });
    // A temp file renamed over the cache: a killed process never leaves half a cache behind.
    const tmp = `${file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
    writeFileSync(tmp, Buffer.concat(parts));
    renameSync(tmp, file);
  } catch {
    // A cache that cannot be written (read-only home) only costs the parse next time.
  }
}

function readCache(file: string): IcuRecordSet | undefined {
  try {
    const buf = readFileSync(file);
    const bytes = new Uint8Array(buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength));
    const headerLength = new Uint32Array(bytes.buffer, 0, 1)[0];
    const header = JSON.parse(Buffer.from(bytes.subarray(4, 4 + headerLength)).toString('utf8')) as {
      version: string;
      ids: string[];
      counts: number[];
      skipped: SkippedFile[];
    };
    if (header.version !== CACHE_VERSION) return undefined;
    let at = 4 + headerLength;
    at += (4 - (at % 4)) % 4;
    const records: IcuRecord[] = header.ids.map((id, i) => {
      const n = header.counts[i];
      const d = ICU_DESCRIPTORS.length;
      const descriptors = new Float32Array(bytes.buffer, at, d).slice();
      at += 4 * d;
      const minutes = new Float32Array(bytes.buffer, at, n).slice();
      at += 4 * n;
      const values = new Float32Array(bytes.buffer, at, n).slice();
      at += 4 * n;
      const variables = bytes.slice(at, at + n);
      at += n + ((4 - (n % 4)) % 4);
      return { id, descriptors, minutes, values, variables };
    });
    if (at !== bytes.length) return undefined;
    return { records, skipped: header.skipped };
  } catch {
    return undefined; // unreadable or from another version: parse again
  }
}
