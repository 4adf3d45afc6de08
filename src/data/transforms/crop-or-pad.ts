/**
 * Cropping and zero padding to a fixed spatial size.
 *
 * `CenterCropOrPad` makes every axis exactly `size`: larger axes are cropped around the centre, smaller ones
 * padded with zeros on both sides (the extra pixel of an odd difference goes after, as MONAI does).
 * `PadTo` only pads axes smaller than `size` (useful before a random crop on small images).
 * Both keep the input pixel type (a uint8 image stays uint8), so cropping a large image before converting
 * it to float costs only the crop.
 */
import type { MedicalImage, PixelArray } from '../medical-image.js';
import {
  allocLike,
  commonSpatialShape,
  getAnyImage,
  resolveKeys,
  TransformError,
  type KeyOptions,
  type Sample,
  type Transform,
  checkUnlistedMasks,
} from './transform.js';

export interface CropOrPadOptions extends KeyOptions {
  /** Output spatial size: [H, W] or [D, H, W]. */
  size: number[];
}

/**
 * The spatial region starting at `start` (may be negative) of extent `size`, from a channels-first image;
 * parts outside the image read 0.
 */
export function extractRegion<T extends PixelArray>(
  img: MedicalImage<T>,
  start: readonly number[],
  size: readonly number[],
): MedicalImage<T> {
  const shape = img.shape;
  const d = shape.length - 1;
  const C = shape[0];
  const outShape = [C, ...size];
  const outN = outShape.reduce((a, b) => a * b, 1);
  const out = allocLike(img.data, outN);
  // Strides of the input and output (channels-first, last axis fastest).
  const inStr = new Array<number>(d + 1).fill(1);
  const outStr = new Array<number>(d + 1).fill(1);
  for (let k = d - 1; k >= 0; k--) {
    inStr[k] = inStr[k + 1] * shape[k + 1];
    outStr[k] = outStr[k + 1] * outShape[k + 1];
  }
  // Copy contiguous runs along the last axis, clipped to the valid range.
  const W = shape[d];
  const outW = size[d - 1];
  const x0 = Math.max(0, -start[d - 1]);
  const x1 = Math.min(outW, W - start[d - 1]);
  if (x1 <= x0) return { ...img, data: out, shape: outShape };
  const rows = outN / outW;
  const idx = new Array<number>(d).fill(0); // [c, ...spatial except last] of the output row
  for (let r = 0; r < rows; r++) {
    let inside = true;
    let src = idx[0] * inStr[0];
    for (let k = 1; k < d; k++) {
      const s = idx[k] + start[k - 1];
      if (s < 0 || s >= shape[k]) {
        inside = false;
        break;
      }
      src += s * inStr[k];
    }
    if (inside) {
      const from = src + x0 + start[d - 1];
      out.set(img.data.subarray(from, from + (x1 - x0)) as never, r * outW + x0);
    }
    for (let k = d - 1; k >= 0; k--) {
      if (++idx[k] < outShape[k]) break;
      idx[k] = 0;
    }
  }
  return { ...img, data: out, shape: outShape };
}

/** Start offsets that centre a `size` window on `shape`'s spatial axes (negative = padding). */
export function centerStart(spatial: readonly number[], size: readonly number[]): number[] {
  return spatial.map((s, i) => (s >= size[i] ? Math.floor((s - size[i]) / 2) : -Math.floor((size[i] - s) / 2)));
}

function checkSize(size: unknown, who: string): void {
  if (!Array.isArray(size) || size.some((s) => !Number.isInteger(s) || s < 1)) {
    throw new TransformError(`${who}: size must be positive integers, got ${JSON.stringify(size)}`);
  }
}

export class CenterCropOrPad implements Transform {
  readonly deterministic = true;
  private readonly names: string[];
  constructor(private readonly opts: CropOrPadOptions) {
    checkSize(opts.size, 'CenterCropOrPad');
    const { keys, masks } = resolveKeys(opts);
    this.names = [...keys, ...masks];
  }
  /** Refuses a sample with a label map this transform would not move (see checkUnlistedMasks). */
  check(sample: Sample): void {
    checkUnlistedMasks(sample, this.opts, 'CenterCropOrPad');
  }
  apply(sample: Sample): Sample {
    this.check(sample);
    const spatial = commonSpatialShape(sample, this.names, 'CenterCropOrPad');
    if (spatial.length !== this.opts.size.length) {
      throw new TransformError(
        `CenterCropOrPad: size has ${this.opts.size.length} axes, images have ${spatial.length}`,
      );
    }
    const start = centerStart(spatial, this.opts.size);
    const out: Sample = { ...sample };
    for (const k of this.names)
      out[k] = extractRegion(getAnyImage(sample, k, 'CenterCropOrPad'), start, this.opts.size);
    return out;
  }
}

export class PadTo implements Transform {
  readonly deterministic = true;
  private readonly names: string[];
  constructor(private readonly opts: CropOrPadOptions) {
    checkSize(opts.size, 'PadTo');
    const { keys, masks } = resolveKeys(opts);
    this.names = [...keys, ...masks];
  }
  /** Refuses a sample with a label map this transform would not move (see checkUnlistedMasks). */
  check(sample: Sample): void {
    checkUnlistedMasks(sample, this.opts, 'PadTo');
  }
  apply(sample: Sample): Sample {
    this.check(sample);
    const spatial = commonSpatialShape(sample, this.names, 'PadTo');
    if (spatial.length !== this.opts.size.length) {
      throw new TransformError(`PadTo: size has ${this.opts.size.length} axes, images have ${spatial.length}`);
    }
    if (spatial.every((s, i) => s >= this.opts.size[i])) return sample;
    const size = spatial.map((s, i) => Math.max(s, this.opts.size[i]));
    const start = centerStart(spatial, size);
    const out: Sample = { ...sample };
    for (const k of this.names) out[k] = extractRegion(getAnyImage(sample, k, 'PadTo'), start, size);
    return out;
  }
}
