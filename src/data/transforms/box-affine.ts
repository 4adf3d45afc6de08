/**
 * Random affine augmentation of a 2D image with its boxes (`randBoxAffine`): rotation, zoom (scale) and shift
 * drawn per sample as RandAffine draws them, the image resampled once by Affine, and each box replaced by the
 * enclosing box of its four mapped corners (the usual approximation for rotated boxes, as in imgaug and
 * albumentations), clipped to the image; boxes with less than `minVisible` of their area left are dropped.
 *
 * Affine's convention (affine.ts) works in array order (y, x) with pixel centres on integers, so a continuous
 * coordinate u maps through p = u - 0.5: out = c + t + M (p - c), c = (size - 1) / 2.
 */
import { Affine, affineMatrix, type AffineParams, type Range } from './affine.js';
import { getBoxes, mapBoxes } from './box-list.js';
import type { PaddingMode } from './resample.js';
import type { Rng } from './rng.js';
import { checkRange, commonSpatialShape, TransformError, type Sample, type Transform } from './transform.js';

export interface RandBoxAffineOptions {
  /** Degrees, a range or r for [-r, r]. */
  rotate?: Range;
  /** Zoom is 1 + u, u from this range (0.2 -> [0.8, 1.2]). */
  scale?: Range;
  /** Shift in pixels, one range for both axes. */
  translate?: Range;
  /** Fraction of a box's area that must stay inside the image (default 0.3). */
  minVisible?: number;
  padding?: PaddingMode;
  keys?: string[];
}

const toRange = (r: Range): [number, number] => (typeof r === 'number' ? [-Math.abs(r), Math.abs(r)] : r);

export class RandBoxAffine implements Transform {
  private readonly keys: string[];
  constructor(private readonly opts: RandBoxAffineOptions) {
    this.keys = opts.keys ?? ['image'];
    for (const k of ['rotate', 'scale', 'translate'] as const)
      if (opts[k] !== undefined) checkRange(toRange(opts[k]), k, 'RandBoxAffine');
    const m = opts.minVisible;
    if (m !== undefined && !(m >= 0 && m <= 1))
      throw new TransformError(`RandBoxAffine: minVisible must be in [0, 1], got ${m}`);
  }
  apply(sample: Sample, rng: Rng): Sample {
    const o = this.opts;
    const draw = (r: Range | undefined) => (r === undefined ? 0 : rng.uniform(...toRange(r)));
    const params: AffineParams = {
      rotate: draw(o.rotate),
      scale: 1 + draw(o.scale),
      translate: [draw(o.translate), draw(o.translate)],
    };
    return boxAffine(sample, params, this.keys, o.minVisible ?? 0.3, o.padding ?? 'zeros');
  }
}

/** Applies fixed affine parameters to the images under `keys` and to the boxes. */
export function boxAffine(
  sample: Sample,
  params: AffineParams,
  keys: string[] = ['image'],
  minVisible = 0.3,
  padding: PaddingMode = 'zeros',
): Sample {
  const [h, w] = commonSpatialShape(sample, keys, 'RandBoxAffine');
  const list = getBoxes(sample, 'RandBoxAffine');
  const out = new Affine({ keys, ...params, padding }).apply(sample);
  const m = affineMatrix(2, params, 'RandBoxAffine');
  const [ty, tx] = params.translate ?? [0, 0];
  const cy = (h - 1) / 2;
  const cx = (w - 1) / 2;
  out.boxes = mapBoxes(
    list,
    (x, y) => {
      const py = y - 0.5 - cy;
      const px = x - 0.5 - cx;
      return [cx + tx + m[1][0] * py + m[1][1] * px + 0.5, cy + ty + m[0][0] * py + m[0][1] * px + 0.5];
    },
    w,
    h,
    minVisible,
  );
  return out;
}
