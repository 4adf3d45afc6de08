/**
 * An uploaded file's bytes -> a 2D image, with medattn's own readers: DICOM, NIfTI (.nii, .nii.gz) and, through
 * the caller's raster codec, PNG, JPEG, TIFF, GIF, WebP. No Node.js modules: the server (decode-upload.ts: sharp
 * and zlib) and the browser page (web/browser-codecs.ts) run this same code, so both feed the model the same
 * numbers. Volumes (NIfTI, multi-frame DICOM) are decoded once and sliced along their first spatial axis.
 * Bounded: decoded pixels (`maxPixels`; a gzip stream is never inflated past it) and decode time. Errors are one
 * line naming the upload, never a path or a DICOM header value; only pixels, geometry and the file's display
 * window leave here (the readers' meta, which holds DICOM attributes, stays behind).
 */
import { MedattnDataError } from '../data/io/errors.js';
import { sniffFormat, isNiftiHeader, type FileFormat } from '../data/io/sniff-format.js';
import { parseDicomBytes, type InflateRaw } from '../data/io/dicom/dicom-bytes.js';
import { dicomToImage } from '../data/io/dicom/dicom-image.js';
import { fileWindow, type Window } from '../data/io/dicom/window.js';
import { parseNiftiBytes, sliceVolume } from '../data/io/nifti-parse.js';
import type { MedicalImage } from '../data/medical-image.js';
import { UserError } from '../user-error.js';

// Request errors, answered with an HTTP status by the predict route; not command-line errors (UserError).
/** The upload is not an image medattn can read, or is damaged: the route answers 422. */
export class UndecodableUploadError extends Error {
  override name = 'UndecodableUploadError';
}
/** The upload decodes to more pixels than allowed, or took too long to decode: 413 / 422. */
export class UploadTooLargeError extends Error {
  override name = 'UploadTooLargeError';
}

/** What differs between the server and the browser: raster decoding and inflating. */
export interface UploadCodecs {
  /** PNG/JPEG/TIFF/GIF/WebP bytes -> [C, H, W]; `maxPixels` is checked before decoding where the format allows. */
  raster(bytes: Uint8Array, format: FileFormat, maxPixels: number): Promise<MedicalImage>;
  /** A gzip stream -> its bytes, throwing UploadTooLargeError past `maxBytes` and UndecodableUploadError if corrupt. */
  gunzip(bytes: Uint8Array, maxBytes: number): Uint8Array | Promise<Uint8Array>;
  /** Raw DEFLATE, for the Deflated Explicit VR Little Endian DICOM transfer syntax. */
  inflateRaw: InflateRaw;
}

export interface DecodeOptions {
  maxPixels: number;
  timeoutMs: number;
  /** Slice of a volume along its first spatial axis; default the middle one. */
  slice?: number;
}

/** The whole upload: [C, H, W] or a volume [C, D, H, W]; `window` is a DICOM file's Window Center/Width. */
export interface DecodedVolume {
  image: MedicalImage;
  format: string;
  window?: Window;
}

export interface DecodedUpload {
  image: MedicalImage;
  format: string;
  /** Slices of the volume the image came from (1 for a 2D image) and the one taken. */
  slices: number;
  slice: number;
}

export const UPLOAD_LABEL = 'upload';
const LABEL = UPLOAD_LABEL;

async function decode(bytes: Uint8Array, options: DecodeOptions, codecs: UploadCodecs): Promise<DecodedVolume> {
  if (bytes[0] === 0x1f && bytes[1] === 0x8b) {
    // 8 bytes a voxel at most, plus the header: a gzip bomb stops here instead of filling memory
    const raw = await codecs.gunzip(bytes, options.maxPixels * 8 + 4096);
    if (!isNiftiHeader(raw))
      throw new UndecodableUploadError(`${LABEL}: a gzip stream that holds no NIfTI image (expected .nii.gz)`);
    return { image: parseNiftiBytes(raw, LABEL), format: 'nifti' };
  }
  const format = sniffFormat(bytes.subarray(0, 600), LABEL);
  switch (format) {
    case 'png':
    case 'jpeg':
    case 'tiff':
    case 'gif':
    case 'webp':
      return { image: await codecs.raster(bytes, format, options.maxPixels), format };
    case 'dicom': {
      const image = await dicomToImage(parseDicomBytes(bytes, LABEL, codecs.inflateRaw));
      return { image, format, window: fileWindow(image) };
    }
    case 'nifti':
      return { image: parseNiftiBytes(bytes, LABEL), format };
    default:
      throw new UndecodableUploadError(
        `${LABEL}: unrecognised image format (expected DICOM, NIfTI, PNG, JPEG, TIFF, GIF or WebP)`,
      );
  }
}

/** Decodes the whole upload (every slice of a volume), within the time and size bounds. */
export async function decodeUploadVolume(
  bytes: Uint8Array,
  options: DecodeOptions,
  codecs: UploadCodecs,
): Promise<DecodedVolume> {
  if (!bytes.length) throw new UndecodableUploadError(`${LABEL}: empty file`);
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new UndecodableUploadError(`${LABEL}: decoding took longer than ${options.timeoutMs} ms`)),
      options.timeoutMs,
    );
  });
  let decoded: DecodedVolume;
  try {
    decoded = await Promise.race([decode(bytes, options, codecs), timeout]);
  } catch (e) {
    if (e instanceof MedattnDataError) throw new UndecodableUploadError(`${LABEL}: ${e.reason}`);
    if (e instanceof UserError || e instanceof UploadTooLargeError || e instanceof UndecodableUploadError) throw e;
    throw new UndecodableUploadError(`${LABEL}: cannot decode (${String((e as Error).message ?? e).split('\n')[0]})`);
  } finally {
    clearTimeout(timer);
  }
  const { image } = decoded;
  const pixels = image.shape.slice(1).reduce((a, b) => a * b, 1);
  if (pixels > options.maxPixels)
    throw new UploadTooLargeError(`${LABEL}: ${pixels} pixels, more than the ${options.maxPixels} allowed`);
  if (image.shape.length !== 3 && image.shape.length !== 4)
    throw new UndecodableUploadError(`${LABEL}: a ${image.shape.length - 1}D image; expected 2D or a 3D volume`);
  return {
    image: { data: image.data, shape: image.shape },
    format: decoded.format,
    ...(decoded.window ? { window: decoded.window } : {}),
  };
}

/** One slice of a decoded upload (a 2D image is its own only slice); default the middle one. */
export function takeSlice(volume: DecodedVolume, slice?: number): DecodedUpload {
  const { image, format } = volume;
  if (image.shape.length !== 4) return { image, format, slices: 1, slice: 0 };
  const slices = image.shape[1];
  const index = slice ?? Math.floor(slices / 2);
  if (!Number.isInteger(index) || index < 0 || index >= slices)
    throw new UndecodableUploadError(`slice: ${slice} is outside 0..${slices - 1}`);
  const { data, shape } = sliceVolume(image, 0, index);
  return { image: { data, shape }, format, slices, slice: index };
}
