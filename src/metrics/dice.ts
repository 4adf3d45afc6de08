import { PerImageMetric } from './per-image-metric.js';
import { checkMasks, foreground, type Mask, type SegmentationOptions } from './segmentation-input.js';

/** Foreground overlap counts of two masks inside the ROI. */
export function overlapCounts(
  where: string,
  pred: Mask,
  target: Mask,
  options: SegmentationOptions,
): { intersection: number; predSize: number; targetSize: number } {
  checkMasks(where, pred, { name: 'target', mask: target }, { name: 'roi', mask: options.roi });
  const threshold = options.threshold ?? 0.5;
  const p = foreground(pred, threshold, options.roi);
  const t = foreground(target, threshold, options.roi);
  let intersection = 0;
  let predSize = 0;
  let targetSize = 0;
  for (let i = 0; i < p.length; i++) {
    predSize += p[i];
    targetSize += t[i];
    intersection += p[i] & t[i];
  }
  return { intersection, predSize, targetSize };
}

/**
 * Dice = 2|P ∩ T| / (|P| + |T|) of the binary masks (value >= threshold) inside the ROI.
 * Both empty: 1 (a correct "nothing here"); exactly one empty: 0.
 */
export function dice(pred: Mask, target: Mask, options: SegmentationOptions = {}): number {
  const { intersection, predSize, targetSize } = overlapCounts('dice', pred, target, options);
  if (predSize + targetSize === 0) return 1;
  return (2 * intersection) / (predSize + targetSize);
}

export class DiceMetric extends PerImageMetric {
  protected score(pred: Mask, target: Mask, options: SegmentationOptions): number {
    return dice(pred, target, options);
  }
}
