/**
 * One entry point for any supported file: picks the reader from the file's first bytes (magic numbers),
 * falling back to the extension, so a misnamed file is still read correctly.
 */
import { open, stat } from 'node:fs/promises';
import { gunzipSync } from 'node:zlib';
import { MedattnDataError } from './errors.js';
import { readImageFile } from './image-file.js';
import { readNifti } from './nifti.js';
import { readNpy } from './npy.js';
import { readInvesalius } from './invesalius.js';
import { readDicom } from './dicom/read-dicom.js';
import { readDicomSeries } from './dicom/series.js';
import type { MedicalImage } from '../medical-image.js';
import { isNiftiHeader, sniffFormat, type FileFormat } from './sniff-format.js';

export type { FileFormat } from './sniff-format.js';

export async function detectFormat(path: string): Promise<FileFormat> {
  let info;
  try {
    info = await stat(path);
  } catch (e) {
    throw new MedattnDataError(path, `cannot read file (${(e as NodeJS.ErrnoException).code ?? String(e)})`);
  }
  if (info.isDirectory()) return 'dicom-series';
  const head = Buffer.alloc(600);
  const fh = await open(path, 'r');
  let n: number;
  try {
    n = (await fh.read(head, 0, head.length, 0)).bytesRead;
  } finally {
    await fh.close();
  }
  const format = formatOfBytes(head.subarray(0, n), path);
  if (format) return format;
  throw new MedattnDataError(
    path,
    'unrecognised file format (expected DICOM, NIfTI, NumPy .npy/.npz, PNG, JPEG, TIFF or GIF)',
  );
}

/**
 * The format of a file from its first bytes (600 are enough) and its name (extension fallbacks), or undefined.
 * For contents held in memory (an upload) as well as files; a gzip stream under another name than .nii.gz is
 * inflated far enough to see whether it holds a NIfTI.
 */
export function formatOfBytes(b: Uint8Array, path: string): FileFormat | undefined {
  const format = sniffFormat(b, path);
  if (format || !(b[0] === 0x1f && b[1] === 0x8b)) return format;
  try {
    if (isNiftiHeader(gunzipSync(b, { finishFlush: 2 }))) return 'nifti';
  } catch {
    /* not a gzip stream we can read */
  }
  return undefined;
}

/**
 * Reads any supported single image or volume (an InVesalius `.inv3` project gives its volume). `.npz` archives hold many arrays and are read with readNpz;
 * a `.npy` becomes an image when its shape is [H, W], [C, H, W] or [C, D, H, W].
 */
export async function readImage(path: string): Promise<MedicalImage> {
  // An InVesalius project is a gzip tar; its name is the only thing that tells it from other gzip files.
  if (/\.inv3$/i.test(path)) return (await readInvesalius(path)).volume;
  const format = await detectFormat(path);
  switch (format) {
    case 'dicom':
      return readDicom(path);
    case 'dicom-series':
      return readDicomSeries(path);
    case 'nifti':
      return readNifti(path);
    case 'npy': {
      const arr = await readNpy(path);
      if (arr.shape.length < 2 || arr.shape.length > 4) {
        throw new MedattnDataError(
          path,
          `a .npy of shape (${arr.shape.join(', ')}) is not an image ([H, W], [C, H, W] or [C, D, H, W])`,
        );
      }
      if (arr.data.length === 0)
        throw new MedattnDataError(path, `a .npy of shape (${arr.shape.join(', ')}) holds no values`);
      return {
        data: arr.data,
        shape: arr.shape.length === 2 ? [1, ...arr.shape] : arr.shape,
        meta: { format: 'npy', dtype: arr.dtype },
      };
    }
    case 'npz':
      throw new MedattnDataError(path, 'a .npz archive holds several arrays: read it with readNpz');
    default:
      return readImageFile(path);
  }
}
