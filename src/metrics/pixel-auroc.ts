import { binaryAuroc } from './auroc.js';
import { PerImageMetric } from './per-image-metric.js';
import { checkMasks, type Mask, type SegmentationOptions } from './segmentation-input.js';

/**
 * Pixel-level AUROC of one image: the predicted foreground probabilities (not thresholded) ranked against the
 * target mask (value >= threshold), over the pixels inside the ROI. NaN when the ROI holds only foreground or
 * only background target pixels (e.g. an empty ground truth): AUROC is undefined there.
 */
export function pixelAuroc(prob: Mask, target: Mask, options: SegmentationOptions = {}): number {
  const size = checkMasks('pixelAuroc', prob, { name: 'target', mask: target }, { name: 'roi', mask: options.roi });
  const threshold = options.threshold ?? 0.5;
  const roi = options.roi;
  const scores: number[] = [];
  const positive: number[] = [];
  for (let i = 0; i < size; i++) {
    if (roi && roi.data[i] === 0) continue;
    scores.push(prob.data[i]);
    positive.push(target.data[i] >= threshold ? 1 : 0);
  }
  return binaryAuroc(scores, positive);
}

export class PixelAurocMetric extends PerImageMetric {
  protected score(pred: Mask, target: Mask, options: SegmentationOptions): number {
    return pixelAuroc(pred, target, options);
  }
}
