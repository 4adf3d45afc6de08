/**
 * Reading the images and masks of a sample. Masks are binarised here, once, so every dataset hands out the
 * same thing: uint8 0/1 with the image's spatial shape (DRIVE stores vessels as 255, ISBI cells as 255,
 * other sets as 1).
 */
import { MedattnDataError } from '../io/errors.js';
import { readImageFile } from '../io/image-file.js';
import { detectFormat, readImage } from '../io/read-image.js';
import type { MedicalImage } from '../medical-image.js';

const RASTER = new Set(['png', 'jpeg', 'tiff', 'gif', 'webp']);

/** An image file as [C, H, W] (or [C, D, H, W]); `channels` forces gray (1) or RGB (3) so a folder of mixed files batches. */
export async function readSampleImage(path: string, channels?: 1 | 3): Promise<MedicalImage> {
  const format = await detectFormat(path);
  if (RASTER.has(format)) return readImageFile(path, channels ? { channels } : {});
  const img = await readImage(path);
  if (!channels || img.shape[0] === channels) return img;
  if (channels === 3 && img.shape[0] === 1) {
    // Gray DICOM/NIfTI into an RGB pipeline: repeat the channel.
    const n = img.data.length;
    const data = new (img.data.constructor as new (n: number) => typeof img.data)(3 * n);
    for (let c = 0; c < 3; c++) data.set(img.data, c * n);
    return { ...img, data, shape: [3, ...img.shape.slice(1)] };
  }
  throw new MedattnDataError(path, `has ${img.shape[0]} channels, cannot make ${channels}`);
}

export interface MaskOptions {
  /** Values above this are foreground. Default 0: any non-zero value (1 or 255) is foreground. */
  threshold?: number;
  /** Foreground is the values at or below the threshold instead (e.g. ISBI membranes, stored as 0). */
  invert?: boolean;
}

/** A mask file as uint8 0/1 [1, H, W]; colour masks are read as gray first. */
export async function readMask(path: string, options: MaskOptions = {}): Promise<MedicalImage<Uint8Array>> {
  const format = await detectFormat(path);
  const img = RASTER.has(format) ? await readImageFile(path, { channels: 1 }) : await readImage(path);
  if (img.shape[0] !== 1) throw new MedattnDataError(path, `a mask must have one channel, this has ${img.shape[0]}`);
  return { ...img, data: binarise(img.data, options), meta: { ...img.meta, binarised: true } };
}

export function binarise(values: ArrayLike<number>, options: MaskOptions = {}): Uint8Array {
  const t = options.threshold ?? 0;
  const out = new Uint8Array(values.length);
  if (options.invert) for (let i = 0; i < values.length; i++) out[i] = values[i] > t ? 0 : 1;
  else for (let i = 0; i < values.length; i++) out[i] = values[i] > t ? 1 : 0;
  return out;
}

/** Throws a one-line error naming both files unless image and mask share one spatial size. */
export function checkSameSize(
  image: MedicalImage,
  imageFile: string,
  mask: MedicalImage,
  maskFile: string,
  what = 'mask',
): void {
  const a = image.shape.slice(1);
  const b = mask.shape.slice(1);
  if (a.length !== b.length || a.some((v, i) => v !== b[i])) {
    throw new MedattnDataError(
      imageFile,
      `image size ${formatSize(a)} differs from its ${what} ${maskFile} (${formatSize(b)})`,
    );
  }
}

/** [H, W] as `W x H` (the way image viewers and the DRIVE paper write it), [D, H, W] as `W x H x D`. */
function formatSize(spatial: number[]): string {
  return spatial.slice().reverse().join('x');
}
