/**
 * DICOM files from disk and DICOM bytes with Node's zlib for the deflated transfer syntax; the parsing itself
 * is dicom-bytes.ts (no Node.js modules, so the browser page can bundle it).
 */
import { readFile } from 'node:fs/promises';
import { inflateRawSync } from 'node:zlib';
import { MedattnDataError } from '../errors.js';
import { parseDicomBytes as parseWith, type DicomFile } from './dicom-bytes.js';

export { DicomAttributes, type DicomFile, type InflateRaw } from './dicom-bytes.js';

export async function readDicomFile(path: string): Promise<DicomFile> {
  let buffer: Buffer;
  try {
    buffer = await readFile(path);
  } catch (e) {
    throw new MedattnDataError(path, `cannot read file (${(e as NodeJS.ErrnoException).code ?? String(e)})`);
  }
  return parseDicomBytes(buffer, path);
}

export function parseDicomBytes(buffer: Uint8Array, path: string): DicomFile {
  return parseWith(buffer, path, (deflated) => inflateRawSync(deflated));
}
