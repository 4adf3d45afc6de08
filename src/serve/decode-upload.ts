/**
 * An uploaded file (bytes in memory, never written to disk) -> a 2D image, with medattn's own readers: DICOM,
 * NIfTI, PNG, JPEG, TIFF, GIF, WebP. Volumes (NIfTI, multi-frame DICOM) give the requested slice (middle by
 * default). Bounded: decoded pixels (`maxPixels`, checked before decoding where the format allows, and a
 * gzip stream is never inflated past it) and decode time (`timeoutMs`). Errors are one line naming the upload,
 * never a path or a DICOM header value.
 */
import { gunzipSync } from 'node:zlib';
import {
  decodeImageBytes,
  dicomToImage,
  formatOfBytes,
  parseDicomBytes,
  parseNifti,
  sliceVolume,
  MedattnDataError,
} from '../data/io/index.js';
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

export interface DecodeOptions {
  maxPixels: number;
  timeoutMs: number;
  /** Slice of a volume along its first spatial axis; default the middle one. */
  slice?: number;
}

export interface DecodedUpload {
  image: MedicalImage;
  format: string;
  /** Slices of the volume the image came from (1 for a 2D image) and the one taken. */
  slices: number;
  slice: number;
}

const LABEL = 'upload';

async function decode(bytes: Uint8Array, options: DecodeOptions): Promise<{ image: MedicalImage; format: string }> {
  const format = formatOfBytes(bytes.subarray(0, 600), LABEL);
  switch (format) {
    case 'png':
    case 'jpeg':
    case 'tiff':
    case 'gif':
    case 'webp':
      return { image: await decodeImageBytes(bytes, LABEL, { maxPixels: options.maxPixels }), format };
    case 'dicom':
      return { image: await dicomToImage(parseDicomBytes(bytes, LABEL)), format };
    case 'nifti': {
      let raw = bytes;
      if (bytes[0] === 0x1f && bytes[1] === 0x8b) {
        try {
          // 8 bytes a voxel at most, plus the header: a gzip bomb stops here instead of filling memory
          raw = gunzipSync(bytes, { maxOutputLength: options.maxPixels * 8 + 4096 });
        } catch (e) {
          const code = (e as NodeJS.ErrnoException).code;
          if (code === 'ERR_BUFFER_TOO_LARGE')
            throw new UploadTooLargeError(`${LABEL}: the NIfTI inflates past ${options.maxPixels} voxels`);
          throw new UndecodableUploadError(`${LABEL}: corrupted gzip stream`);
        }
      }
      return { image: parseNifti(raw, LABEL), format };
    }
    default:
      throw new UndecodableUploadError(
        `${LABEL}: unrecognised image format (expected DICOM, NIfTI, PNG, JPEG, TIFF, GIF or WebP)`,
      );
  }
}

export async function decodeUpload(bytes: Uint8Array, options: DecodeOptions): Promise<DecodedUpload> {
  if (!bytes.length) throw new UndecodableUploadError(`${LABEL}: empty file`);
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new UndecodableUploadError(`${LABEL}: decoding took longer than ${options.timeoutMs} ms`)),
      options.timeoutMs,
    );
  });
  let decoded: { image: MedicalImage; format: string };
  try {
    decoded = await Promise.race([decode(bytes, options), timeout]);
  } catch (e) {
    if (e instanceof MedattnDataError) throw new UndecodableUploadError(`${LABEL}: ${e.reason}`);
    if (e instanceof UserError || e instanceof UploadTooLargeError || e instanceof UndecodableUploadError) throw e;
    throw new UndecodableUploadError(`${LABEL}: cannot decode (${String((e as Error).message ?? e).split('\n')[0]})`);
  } finally {
    clearTimeout(timer);
  }
  let { image } = decoded;
  const pixels = image.shape.slice(1).reduce((a, b) => a * b, 1);
  if (pixels > options.maxPixels)
    throw new UploadTooLargeError(`${LABEL}: ${pixels} pixels, more than the ${options.maxPixels} allowed`);
  let slices = 1;
  let slice = 0;
  if (image.shape.length === 4) {
    slices = image.shape[1];
    slice = options.slice ?? Math.floor(slices / 2);
    if (!Number.isInteger(slice) || slice < 0 || slice >= slices)
      throw new UndecodableUploadError(`slice: ${options.slice} is outside 0..${slices - 1}`);
    image = sliceVolume(image, 0, slice);
  } else if (image.shape.length !== 3) {
    throw new UndecodableUploadError(`${LABEL}: a ${image.shape.length - 1}D image; expected 2D or a 3D volume`);
  }
  // Only pixels and geometry go on: the readers' meta (which holds DICOM attributes) stays behind.
  return { image: { data: image.data, shape: image.shape }, format: decoded.format, slices, slice };
}
