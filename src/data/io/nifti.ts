/**
 * NIfTI files (.nii, .nii.gz) from disk: read, inflated when gzip-compressed, then parsed by nifti-parse.ts
 * (which holds the format itself and needs no Node.js module).
 */
import { readFile } from 'node:fs/promises';
import { gunzipSync } from 'node:zlib';
import { MedattnDataError, describeThrown } from './errors.js';
import type { MedicalImage } from '../medical-image.js';
import { parseNiftiBytes, type ReadNiftiOptions } from './nifti-parse.js';

export {
  parseNiftiBytes,
  parseNiftiHeader,
  bestAffine,
  axisOrientation,
  toCanonical,
  sliceVolume,
  type NiftiHeader,
  type ReadNiftiOptions,
  type VolumeAxis,
} from './nifti-parse.js';

export async function readNifti(path: string, options: ReadNiftiOptions = {}): Promise<MedicalImage> {
  let bytes: Uint8Array;
  try {
    bytes = await readFile(path);
  } catch (e) {
    throw new MedattnDataError(path, `cannot read file (${(e as NodeJS.ErrnoException).code ?? String(e)})`);
  }
  return parseNifti(bytes, path, options);
}

export function gunzipIfNeeded(bytes: Uint8Array, path: string): Uint8Array {
  if (bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b) {
    try {
      return gunzipSync(bytes); // checks the gzip CRC-32 and length, so corruption is caught here
    } catch (e) {
      throw new MedattnDataError(path, `corrupted gzip stream (${describeThrown(e)})`, { cause: e });
    }
  }
  return bytes;
}

/** A NIfTI file's bytes, gzip-compressed or not -> image. */
export function parseNifti(fileBytes: Uint8Array, path: string, options: ReadNiftiOptions = {}): MedicalImage {
  return parseNiftiBytes(gunzipIfNeeded(fileBytes, path), path, options);
}
