import { euclideanDistanceTransform } from './distance-transform.ts';
import { PerImageMetric } from './per-image-metric.ts';
import { checkMasks, foreground, type Mask, type SegmentationOptions } from './segmentation-input.ts';
import { MetricInputError } from './metric-input-error.ts';

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
  const predToTarget = percentileOf(directedSurfaceDistances(p, t, pred.shape, options.spacing), percentile);
  const targetToPred = percentileOf(directedSurfaceDistances(t, p, pred.shape, options.spacing), percentile);
  return Math.max(predToTarget, targetToPred);
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
