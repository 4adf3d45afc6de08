/**
 * Clears the free-text fields of a NIfTI-1/NIfTI-2 header that converters fill with identifying text
 * (`descrip`, `aux_file`, `intent_name`) and blanks its extensions (which can hold a whole DICOM header:
 * the extension flag is set to 0 and their bytes zeroed, so vox_offset and the voxels stay as they are).
 * A .nii.gz comes back gzip-compressed.
 */
import { gzipSync } from 'node:zlib';
import { gunzipIfNeeded, parseNiftiHeader } from '../data/io/nifti.js';

/** [offset, length] of descrip, aux_file and intent_name in each header version. */
const TEXT_FIELDS = {
  1: [
    [148, 80],
    [228, 24],
    [328, 16],
  ],
  2: [
    [240, 80],
    [320, 24],
    [508, 16],
  ],
} as const;

export function deidentifyNifti(input: Uint8Array, path: string): Uint8Array {
  const gzipped = input.length >= 2 && input[0] === 0x1f && input[1] === 0x8b;
  const bytes = new Uint8Array(gunzipIfNeeded(input, path)); // a copy: the input stays as it was
  const header = parseNiftiHeader(bytes, path);
  for (const [offset, length] of TEXT_FIELDS[header.version]) bytes.fill(0, offset, offset + length);
  const headerSize = header.version === 1 ? 348 : 540;
  const dataStart = header.voxOffset === 0 ? bytes.length : Math.min(bytes.length, Math.trunc(header.voxOffset));
  if (dataStart >= headerSize + 4) bytes.fill(0, headerSize, dataStart);
  return gzipped ? new Uint8Array(gzipSync(bytes)) : bytes;
}
