import { overlapCounts } from './dice.js';
import { PerImageMetric } from './per-image-metric.js';
import type { Mask, SegmentationOptions } from './segmentation-input.js';

/**
 * IoU (Jaccard) = |P ∩ T| / |P ∪ T| of the binary masks inside the ROI. Empty cases follow Dice:
 * both empty 1, exactly one empty 0.
 */
export function iou(pred: Mask, target: Mask, options: SegmentationOptions = {}): number {
  const { intersection, predSize, targetSize } = overlapCounts('iou', pred, target, options);
  const union = predSize + targetSize - intersection;
  return union === 0 ? 1 : intersection / union;
}

export class IouMetric extends PerImageMetric {
  protected score(pred: Mask, target: Mask, options: SegmentationOptions): number {
    return iou(pred, target, options);
  }
}
