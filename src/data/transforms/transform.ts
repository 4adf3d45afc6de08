/**
 * The contract every transform keeps, MONAI style: a transform maps a *sample* (a dictionary such as
 * `{ image, mask, roi, label }`) to a new sample, touching only the keys it was configured with.
 *
 * - `keys` name the intensity images: interpolated smoothly (bilinear/trilinear) and changed by intensity
 *   transforms.
 * - `masks` name label maps that must move with the image: resampled with nearest neighbour so they keep
 *   exactly their value set, and never touched by intensity transforms.
 *
 * Transforms never mutate their input (datasets may hand out views of shared memory): every changed field is
 * a new `MedicalImage` with a new `Float32Array`.
 */
import { UserError } from '../../user-error.js';
import type { MedicalImage, PixelArray } from '../medical-image.js';
import type { Rng } from './rng.js';

/** One training example: named images/masks plus any other fields (labels, ids) that pass through. */
export type Sample = Record<string, unknown>;

/** A float image as transforms produce it. */
export type FloatImage = MedicalImage<Float32Array>;

export interface Transform {
  /** Returns a new sample; `rng` is this sample's own stream (see `Rng.fork`). */
  apply(sample: Sample, rng: Rng): Sample;
  /**
   * True when `apply` draws no random numbers, so the same sample always gives the same output. A loader whose
   * dataset is preloaded computes a pipeline's leading deterministic transforms once per sample and caches
   * the result (loader/prefix-cache.ts). Absent means random: never cached.
   */
  readonly deterministic?: boolean;
  /**
   * Throws on a sample this transform would refuse, without drawing random numbers: RandomApply and OneOf call it
   * even when the transform does not run, so a wrong config fails on the first sample, not on a later one.
   */
  check?(sample: Sample): void;
}

/** Options shared by transforms that act on images and masks. */
export interface KeyOptions {
  /** Intensity images (smooth interpolation). Default `['image']`. */
  keys?: string[];
  /** Label maps moved with nearest neighbour. Default none. */
  masks?: string[];
}

/** A user-caused transform problem (missing key, wrong shape, bad option): names the transform and the key. */
export class TransformError extends UserError {
  constructor(message: string) {
    super(message);
  }
}

export function isMedicalImage(value: unknown): value is MedicalImage {
  return (
    typeof value === 'object' &&
    value !== null &&
    ArrayBuffer.isView((value as MedicalImage).data) &&
    Array.isArray((value as MedicalImage).shape)
  );
}

/** The image under `key`, any pixel type, checked for a channels-first 2D/3D shape. */
export function getAnyImage(sample: Sample, key: string, who: string): MedicalImage {
  const value = sample[key];
  if (!isMedicalImage(value)) {
    throw new TransformError(
      `${who}: sample has no image under key "${key}" (keys: ${Object.keys(sample).join(', ')})`,
    );
  }
  const { shape, data } = value;
  if (shape.length !== 3 && shape.length !== 4) {
    throw new TransformError(`${who}: "${key}" must be [C,H,W] or [C,D,H,W], got shape [${shape.join(',')}]`);
  }
  const n = shape.reduce((a, b) => a * b, 1);
  if (data.length !== n) {
    throw new TransformError(`${who}: "${key}" has ${data.length} values but shape [${shape.join(',')}] needs ${n}`);
  }
  return value;
}

/** The image under `key` as Float32 (other pixel types are converted, values unchanged). */
export function getImage(sample: Sample, key: string, who: string): FloatImage {
  const img = getAnyImage(sample, key, who);
  if (img.data instanceof Float32Array) return img as FloatImage;
  return { ...img, data: Float32Array.from(img.data as ArrayLike<number>) };
}

/** A copy of `img` with new data and (optionally) a new shape; geometry metadata is kept. */
export function withData(img: MedicalImage, data: Float32Array, shape: number[] = img.shape): FloatImage {
  return { ...img, data, shape: shape.slice() };
}

/** Same-type typed array of length n (crop/pad keep the input pixel type). */
export function allocLike<T extends PixelArray>(data: T, n: number): T {
  const Ctor = data.constructor as new (n: number) => T;
  return new Ctor(n);
}

/** Resolved key lists, with the defaults applied. */
export function resolveKeys(opts: KeyOptions | undefined): { keys: string[]; masks: string[] } {
  return { keys: opts?.keys ?? ['image'], masks: opts?.masks ?? [] };
}

/** Sample keys that hold label maps by the datasets' convention (segmentation mask, field of view). */
const MASK_KEYS = ['mask', 'roi'];

/**
 * For transforms that move pixels: throws when the sample holds a `mask` or `roi` that `masks` was not set to
 * name, since the image would move and its label map stay. An explicit list (even `[]`, "no masks") is taken
 * as meant.
 */
export function checkUnlistedMasks(sample: Sample, opts: KeyOptions | undefined, who: string): void {
  if (opts?.masks !== undefined) return;
  const key = MASK_KEYS.find((k) => isMedicalImage(sample[k]) && !(opts?.keys ?? ['image']).includes(k));
  if (key)
    throw new TransformError(
      `${who}: the sample has a "${key}" that this transform would not move with the image; set "masks": ["${key}"] (or "masks": [] to leave it)`,
    );
}

/** Checks that all images/masks share one spatial shape; spatial random transforms draw one set of parameters. */
export function commonSpatialShape(sample: Sample, names: string[], who: string): number[] {
  let ref: number[] | undefined;
  let refKey = '';
  for (const k of names) {
    const s = getAnyImage(sample, k, who).shape.slice(1);
    if (!ref) {
      ref = s;
      refKey = k;
    } else if (s.length !== ref.length || s.some((v, i) => v !== ref![i])) {
      throw new TransformError(
        `${who}: "${k}" spatial shape [${s.join(',')}] differs from "${refKey}" [${ref.join(',')}]`,
      );
    }
  }
  if (!ref) throw new TransformError(`${who}: no keys configured`);
  return ref;
}

/** Validates a [lo, hi] range option. */
export function checkRange(r: readonly [number, number], name: string, who: string): void {
  if (!Array.isArray(r) || r.length !== 2 || !(r[0] <= r[1])) {
    throw new TransformError(`${who}: option ${name} must be [lo, hi] with lo <= hi, got ${JSON.stringify(r)}`);
  }
}

/** A new sample where each image under `keys` is replaced by `fn(image)` (same shape, new data). */
export function mapImages(
  sample: Sample,
  keys: string[],
  who: string,
  fn: (img: FloatImage, key: string) => Float32Array,
): Sample {
  const out: Sample = { ...sample };
  for (const k of keys) {
    const img = getImage(sample, k, who);
    out[k] = withData(img, fn(img, k));
  }
  return out;
}

/** A per-channel option value (a number for all channels, or one per channel). */
export function perChannel(v: number | number[], c: number, C: number, name: string, who: string): number {
  if (typeof v === 'number') return v;
  if (v.length !== C)
    throw new TransformError(`${who}: ${name} has ${v.length} values but the image has ${C} channels`);
  return v[c];
}
