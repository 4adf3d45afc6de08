import { euclideanDistanceTransform } from './distance-transform.js';
import { PerImageMetric } from './per-image-metric.js';
import { checkMasks, foreground, type Mask, type SegmentationOptions } from './segmentation-input.js';
import { MetricInputError } from './metric-input-error.js';

export interface HausdorffOptions extends SegmentationOptions {
  /** Physical pixel size per axis (same order as the shape). Default 1 on every axis. */
  spacing?: readonly number[];
  /** Percentile of the surface distances, 0..100. Default 95; 100 gives the classic Hausdorff distance. */
  percentile?: number;
}

/**
 * Boundary of a binary mask: foreground elements with at least one background face-neighbour, the outside
 * of the image counting as background — `mask ^ scipy.ndimage.binary_erosion(mask)` with the default
 * cross-shaped structure, as in MONAI's `get_mask_edges`.
 */
export function maskBoundary(mask: Uint8Array, shape: readonly number[]): Uint8Array {
  const out = new Uint8Array(mask.length);
  const strides = shape.map((_, a) => shape.slice(a + 1).reduce((x, y) => x * y, 1));
  const coord = new Array<number>(shape.length).fill(0);
  for (let i = 0; i < mask.length; i++) {
    if (mask[i]) {
      let edge = false;
      for (let a = 0; a < shape.length && !edge; a++) {
        const c = coord[a];
        if (c === 0 || c === shape[a] - 1 || !mask[i - strides[a]] || !mask[i + strides[a]]) edge = true;
      }
      out[i] = edge ? 1 : 0;
    }
    // Advance the multi-index (row-major).
    for (let a = shape.length - 1; a >= 0; a--) {
      if (++coord[a] < shape[a]) break;
      coord[a] = 0;
    }
  }
  return out;
}

/** Linear-interpolated percentile (numpy's default method) of the values; sorts them in place. */
function percentileOf(values: Float64Array, q: number): number {
  values.sort();
  const pos = (q / 100) * (values.length - 1);
  const lo = Math.floor(pos);
  const hi = Math.min(lo + 1, values.length - 1);
  return values[lo] + (values[hi] - values[lo]) * (pos - lo);
}

/** Distances from every boundary element of `from` to the nearest boundary element of `to`. */
function directedSurfaceDistances(
  from: Uint8Array,
  to: Uint8Array,
  shape: readonly number[],
  spacing?: readonly number[],
): Float64Array {
  const dt = euclideanDistanceTransform(to, shape, { spacing });
  const out: number[] = [];
  for (let i = 0; i < from.length; i++) if (from[i]) out.push(dt[i]);
  return Float64Array.from(out);
}

/**
 * Symmetric percentile Hausdorff distance (HD95 by default) between the boundaries of the binary prediction
 * and target, MONAI's `compute_hausdorff_distance(percentile=95, directed=False)`: the larger of the two
 * directed values, each the percentile of the distances from one boundary's elements to the other boundary,
 * measured with an exact Euclidean distance transform in `spacing` units.
 *
 * With an ROI, foreground outside it is dropped before the boundaries are taken (the ROI edge acts like the
 * image border). Both masks empty: 0 (nothing to miss). Exactly one empty: NaN (the distance is undefined;
 * MONAI returns inf/NaN with a warning) — per-image means leave it out and report how many were left out.
 */
export function hausdorffDistance(pred: Mask, target: Mask, options: HausdorffOptions = {}): number {
  const where = 'hausdorffDistance';
  checkMasks(where, pred, { name: 'target', mask: target }, { name: 'roi', mask: options.roi });
  const percentile = options.percentile ?? 95;
  if (!(percentile >= 0 && percentile <= 100))
    throw new MetricInputError(where, `percentile ${percentile} is not in 0..100`);
  const threshold = options.threshold ?? 0.5;
  const p = maskBoundary(foreground(pred, threshold, options.roi), pred.shape);
  const t = maskBoundary(foreground(target, threshold, options.roi), pred.shape);
  const pEmpty = !p.some((x) => x !== 0);
  const tEmpty = !t.some((x) => x !== 0);
  if (pEmpty && tEmpty) return 0;
  if (pEmpty || tEmpty) return NaN;
  // Both boundaries lie inside their joint bounding box, so distances computed on the crop are the same
  // (as MONAI's crop=True); a small lesion in a large volume then costs a small distance transform.
  const [cp, ct, box] = cropToBoundingBox(p, t, pred.shape);
  const predToTarget = percentileOf(directedSurfaceDistances(cp, ct, box, options.spacing), percentile);
  const targetToPred = percentileOf(directedSurfaceDistances(ct, cp, box, options.spacing), percentile);
  return Math.max(predToTarget, targetToPred);
}

/** Crops two same-shape masks to the bounding box of their union; returns the crops and the box shape. */
function cropToBoundingBox(a: Uint8Array, b: Uint8Array, shape: readonly number[]): [Uint8Array, Uint8Array, number[]] {
  const rank = shape.length;
  const lo = shape.map((d) => d);
  const hi = shape.map(() => -1);
  const coord = new Array<number>(rank).fill(0);
  for (let i = 0; i < a.length; i++) {
    if (a[i] || b[i]) {
      for (let d = 0; d < rank; d++) {
        if (coord[d] < lo[d]) lo[d] = coord[d];
        if (coord[d] > hi[d]) hi[d] = coord[d];
      }
    }
    for (let d = rank - 1; d >= 0; d--) {
      if (++coord[d] < shape[d]) break;
      coord[d] = 0;
    }
  }
  const box = lo.map((l, d) => hi[d] - l + 1);
  const size = box.reduce((x, y) => x * y, 1);
  if (size === a.length) return [a, b, [...shape]];
  const ca = new Uint8Array(size);
  const cb = new Uint8Array(size);
  const strides = shape.map((_, d) => shape.slice(d + 1).reduce((x, y) => x * y, 1));
  const inner = box.map(() => 0);
  for (let j = 0; j < size; j++) {
    let src = 0;
    for (let d = 0; d < rank; d++) src += (lo[d] + inner[d]) * strides[d];
    ca[j] = a[src];
    cb[j] = b[src];
    for (let d = rank - 1; d >= 0; d--) {
      if (++inner[d] < box[d]) break;
      inner[d] = 0;
    }
  }
  return [ca, cb, box];
}

/** HD95: `hausdorffDistance` at the 95th percentile. */
export function hausdorffDistance95(
  pred: Mask,
  target: Mask,
  options: Omit<HausdorffOptions, 'percentile'> = {},
): number {
  return hausdorffDistance(pred, target, { ...options, percentile: 95 });
}

export class HausdorffDistanceMetric extends PerImageMetric<HausdorffOptions> {
  protected score(pred: Mask, target: Mask, options: HausdorffOptions): number {
    return hausdorffDistance(pred, target, options);
  }
}
