import { dice } from './dice.js';
import { hausdorffDistance } from './hausdorff.js';
import { iou } from './iou.js';
import { pixelAuroc } from './pixel-auroc.js';
import type { Mask } from './segmentation-input.js';

/** One scored image: `pred` is the foreground probability map (or a binary mask). */
export interface SegmentationSample {
  pred: Mask;
  target: Mask;
  roi?: Mask;
  /** Overrides the report's spacing for this image (volumes of a dataset often differ). */
  spacing?: readonly number[];
}

export interface SegmentationReportOptions {
  /** Probability at or above which a pixel is predicted foreground (target uses the same cut). Default 0.5. */
  threshold?: number;
  /** Pixel spacing used for HD95 when a sample gives none. Default 1 per axis. */
  spacing?: readonly number[];
}

/**
 * The segmentation metrics of `medattn evaluate --json`: per-image means over the n images. Dice/IoU are
 * defined for every image (1 when prediction and target are both empty). AUROC is NaN on images whose ROI
 * has a single target class, HD95 on images where exactly one of prediction/target is empty; those are left
 * out of their means and `auroc_count`/`hd95_count` say how many images each mean covers (`hd95_nan` how
 * many were left out). A mean over no image is NaN (null in JSON).
 */
export interface SegmentationReport {
  n: number;
  dice: number;
  iou: number;
  auroc: number;
  hd95: number;
  auroc_count: number;
  hd95_count: number;
  hd95_nan: number;
}

export function segmentationReport(
  samples: Iterable<SegmentationSample>,
  options: SegmentationReportOptions = {},
): SegmentationReport {
  const threshold = options.threshold ?? 0.5;
  const sums = { dice: 0, iou: 0, auroc: 0, hd95: 0 };
  let n = 0;
  let aurocCount = 0;
  let hdCount = 0;
  for (const s of samples) {
    const opts = { threshold, roi: s.roi };
    sums.dice += dice(s.pred, s.target, opts);
    sums.iou += iou(s.pred, s.target, opts);
    const a = pixelAuroc(s.pred, s.target, opts);
    if (!Number.isNaN(a)) {
      sums.auroc += a;
      aurocCount++;
    }
    const h = hausdorffDistance(s.pred, s.target, { ...opts, spacing: s.spacing ?? options.spacing, percentile: 95 });
    if (!Number.isNaN(h)) {
      sums.hd95 += h;
      hdCount++;
    }
    n++;
  }
  const mean = (sum: number, count: number) => (count === 0 ? NaN : sum / count);
  return {
    n,
    dice: mean(sums.dice, n),
    iou: mean(sums.iou, n),
    auroc: mean(sums.auroc, aurocCount),
    hd95: mean(sums.hd95, hdCount),
    auroc_count: aurocCount,
    hd95_count: hdCount,
    hd95_nan: n - hdCount,
  };
}
