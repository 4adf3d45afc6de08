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
import { readDicom } from './dicom/read-dicom.js';
import { readDicomSeries } from './dicom/series.js';
import type { MedicalImage } from '../medical-image.js';

export type FileFormat = 'dicom' | 'dicom-series' | 'nifti' | 'npy' | 'npz' | 'png' | 'jpeg' | 'tiff' | 'gif' | 'webp';

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
 * For contents held in memory (an upload) as well as files.
 */
export function formatOfBytes(b: Uint8Array, path: string): FileFormat | undefined {
  const n = b.length;
  const text = (from: number, to: number) =>
    Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('latin1', from, to);
  const u16 = (at: number) => b[at] | (b[at + 1] << 8);
  const at = (offset: number, ...bytes: number[]) => bytes.every((v, i) => b[offset + i] === v);
  if (n >= 132 && text(128, 132) === 'DICM') return 'dicom';
  if (at(0, 0x89, 0x50, 0x4e, 0x47)) return 'png';
  if (at(0, 0xff, 0xd8, 0xff)) return 'jpeg';
  if (at(0, 0x49, 0x49, 0x2a, 0x00) || at(0, 0x4d, 0x4d, 0x00, 0x2a)) return 'tiff';
  if (text(0, 4) === 'GIF8') return 'gif';
  if (text(0, 4) === 'RIFF' && text(8, 12) === 'WEBP') return 'webp';
  if (at(0, 0x93) && text(1, 6) === 'NUMPY') return 'npy';
  if (at(0, 0x50, 0x4b, 0x03, 0x04) || at(0, 0x50, 0x4b, 0x05, 0x06)) return 'npz';
  if (isNiftiHeader(b)) return 'nifti';
  if (at(0, 0x1f, 0x8b) && /\.nii\.gz$/i.test(path)) return 'nifti';
  const lower = path.toLowerCase();
  if (lower.endsWith('.dcm') || lower.endsWith('.dicom')) return 'dicom';
  if (at(0, 0x1f, 0x8b)) {
    // gzip of something else: a gzipped NIfTI under another name is still a NIfTI
    try {
      const inner = gunzipSync(b, { finishFlush: 2 });
      if (isNiftiHeader(inner)) return 'nifti';
    } catch {
      /* fall through */
    }
  }
  // Bare DICOM data sets (no preamble) start with a group 0008 tag.
  if (n >= 8 && (u16(0) === 0x0008 || u16(0) === 0x0002)) return 'dicom';
  return undefined;
}

function isNiftiHeader(b: Uint8Array): boolean {
  if (b.length < 348) return false;
  const v = new DataView(b.buffer, b.byteOffset, b.byteLength);
  const size = v.getInt32(0, true);
  const sizeBE = v.getInt32(0, false);
  return size === 348 || size === 540 || sizeBE === 348 || sizeBE === 540;
}

/**
 * Reads any supported single image or volume. `.npz` archives hold many arrays and are read with readNpz;
 * a `.npy` becomes an image when its shape is [H, W], [C, H, W] or [C, D, H, W].
 */
export async function readImage(path: string): Promise<MedicalImage> {
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
