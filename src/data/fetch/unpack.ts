/**
 * Unpacks a zip (fflate) or a tar.gz (node:zlib and the ustar format, with GNU long names and pax paths) into a
 * folder. Members that would land outside the folder (absolute paths, `..`) are refused; links and devices are
 * skipped. The caller unpacks into a temporary folder and renames it, so a half-unpacked archive never looks complete.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, normalize, sep } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { unzipSync } from 'fflate';

export class UnpackFailure extends Error {}

/** Unpacks `archive` into `dir` (which it creates); returns the number of files written. */
export function unpackArchive(archive: string, kind: 'zip' | 'tar.gz', dir: string): number {
  mkdirSync(dir, { recursive: true });
  const members = kind === 'zip' ? zipMembers(readFileSync(archive)) : tarMembers(gunzip(readFileSync(archive)));
  let files = 0;
  for (const { name, data } of members) {
    const target = safeJoin(dir, name);
    if (data === undefined) {
      mkdirSync(target, { recursive: true });
      continue;
    }
    mkdirSync(dirname(target), { recursive: true });
    writeFileSync(target, data);
    files++;
  }
  return files;
}

interface Member {
  name: string;
  /** Undefined for a directory. */
  data?: Uint8Array;
}

function safeJoin(dir: string, name: string): string {
  const rel = normalize(name.replace(/\\/g, '/')).replace(/^(\.\/)+/, '');
  if (rel.startsWith('/') || rel === '..' || rel.startsWith(`..${sep}`) || rel.includes(`${sep}..${sep}`))
    throw new UnpackFailure(`archive member '${name}' would land outside the data set's folder`);
  return join(dir, rel);
}

function gunzip(bytes: Buffer): Buffer {
  try {
    return gunzipSync(bytes);
  } catch (e) {
    throw new UnpackFailure(`not a readable gzip file (${(e as Error).message})`);
  }
}

function zipMembers(bytes: Buffer): Member[] {
  let entries: Record<string, Uint8Array>;
  try {
    entries = unzipSync(bytes);
  } catch (e) {
    throw new UnpackFailure(`not a readable zip file (${(e as Error).message})`);
  }
  return Object.entries(entries).map(([name, data]) => (name.endsWith('/') ? { name } : { name, data }));
}

const BLOCK = 512;

function field(header: Buffer, offset: number, length: number): string {
  const raw = header.subarray(offset, offset + length);
  const end = raw.indexOf(0);
  return raw.subarray(0, end < 0 ? length : end).toString('utf8');
}

function tarMembers(tar: Buffer): Member[] {
  const out: Member[] = [];
  let longName: string | undefined;
  for (let at = 0; at + BLOCK <= tar.length;) {
    const header = tar.subarray(at, at + BLOCK);
    if (header.every((b) => b === 0)) break; // end-of-archive marker
    const sizeText = field(header, 124, 12).trim();
    const size = sizeText === '' ? 0 : parseInt(sizeText, 8);
    const start = at + BLOCK;
    if (!Number.isFinite(size) || size < 0 || start + size > tar.length)
      throw new UnpackFailure(`tar member at byte ${at} claims ${sizeText} (octal) bytes, more than the archive holds`);
    const body = tar.subarray(start, start + size);
    at = start + Math.ceil(size / BLOCK) * BLOCK;
    const type = String.fromCharCode(header[156] || 48); // '\0' is an old-style regular file
    const prefix = field(header, 345, 155);
    const name = longName ?? (prefix ? `${prefix}/${field(header, 0, 100)}` : field(header, 0, 100));
    longName = undefined;
    if (type === 'L') longName = body.toString('utf8').replace(/\0+$/, '');
    else if (type === 'x') longName = /(?:^|\n)\d+ path=([^\n]*)\n/.exec(body.toString('utf8'))?.[1];
    else if (type === '0' || type === '7') out.push({ name, data: body });
    else if (type === '5') out.push({ name });
    // 'g' (global pax header), links and devices carry no data file: skipped.
  }
  return out;
}
