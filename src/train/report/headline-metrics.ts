/**
 * The headline metrics of a report, named as clinicians read them (sensitivity, specificity, PPV, NPV at the
 * stated decision threshold), with 95% Wilson score intervals for the proportions a confusion matrix gives.
 */

export interface MetricRow {
  name: string;
  value: number;
  /** 95% confidence interval, when the metric is a proportion of counted cases. */
  interval?: [number, number];
  /** What it measures, in one short phrase. */
  note: string;
}

/** 95% Wilson score interval of `successes` out of `total` (Wilson 1927); [0, 1] when total is 0. */
export function wilsonInterval(successes: number, total: number, z = 1.959964): [number, number] {
  if (total <= 0) return [0, 1];
  const p = successes / total;
  const z2 = z * z;
  const centre = (p + z2 / (2 * total)) / (1 + z2 / total);
  const half = (z / (1 + z2 / total)) * Math.sqrt((p * (1 - p)) / total + z2 / (4 * total * total));
  return [Math.max(0, centre - half), Math.min(1, centre + half)];
}

const num = (v: unknown) => (typeof v === 'number' ? v : NaN);

/** Classification: threshold-free metrics, then the rates at the threshold from the confusion matrix. */
export function classificationHeadline(best: Record<string, unknown>, positiveClass: string): MetricRow[] {
  const rows: MetricRow[] = [];
  const add = (name: string, key: string, note: string, interval?: [number, number]) => {
    if (typeof best[key] === 'number') rows.push({ name, value: num(best[key]), note, interval });
  };
  add('AUROC', 'auroc', 'area under the ROC curve; threshold-free');
  add('AUPRC', 'auprc', 'area under the precision-recall curve');
  const cm = best.confusion_matrix as number[][] | undefined;
  if (cm && cm.length === 2) {
    const [[tn, fp], [fn, tp]] = cm;
    add('Sensitivity (recall)', 'recall', `share of true ${positiveClass} cases found`, wilsonInterval(tp, tp + fn));
    add('Specificity', 'specificity', `share of other cases correctly ruled out`, wilsonInterval(tn, tn + fp));
    add('PPV (precision)', 'precision', `share of ${positiveClass} calls that are right`, wilsonInterval(tp, tp + fp));
    if (tn + fn > 0)
      rows.push({
        name: 'NPV',
        value: tn / (tn + fn),
        note: 'share of negative calls that are right',
        interval: wilsonInterval(tn, tn + fn),
      });
    add('Accuracy', 'accuracy', 'share of all cases classified right', wilsonInterval(tn + tp, tn + fp + fn + tp));
  } else {
    add('Sensitivity (recall)', 'recall', 'macro mean over classes');
    add('Specificity', 'specificity', 'macro mean over classes');
    add('Precision', 'precision', 'macro mean over classes');
    add('Accuracy', 'accuracy', 'share of all cases classified right');
  }
  add('Balanced accuracy', 'balanced_accuracy', 'mean of per-class recall');
  add('F1', 'f1', 'harmonic mean of precision and recall');
  add('ECE', 'ece', 'expected calibration error (lower is better)');
  return rows;
}

/** Segmentation: per-image means and pooled pixel metrics inside the region of interest. */
export function segmentationHeadline(best: Record<string, unknown>): MetricRow[] {
  const known: [string, string, string][] = [
    ['Dice', 'dice', 'overlap of predicted and true masks, mean per image'],
    ['IoU', 'iou', 'intersection over union, mean per image'],
    ['AUROC', 'auroc', 'pixel AUROC, mean per image'],
    ['HD95 (px)', 'hd95', '95th percentile boundary distance, mean per image (lower is better)'],
    ['Pooled F1', 'pooled_f1', 'pixel F1 over all validation pixels pooled'],
    ['Pooled AUROC', 'pooled_auroc', 'pixel AUROC over all validation pixels pooled'],
  ];
  return known
    .filter(([, key]) => typeof best[key] === 'number')
    .map(([name, key, note]) => ({ name, value: num(best[key]), note }));
}

/** Detection: COCO box metrics (the per-class table is in the detection section). */
export function detectionHeadline(best: Record<string, unknown>): MetricRow[] {
  const known: [string, string, string][] = [
    ['mAP@0.5', 'map50', 'COCO AP at IoU 0.5, mean over classes'],
    ['mAP@0.5:0.95', 'map50_95', 'COCO AP averaged over IoU 0.50..0.95, mean over classes'],
    ['mAP@0.75', 'map75', 'COCO AP at IoU 0.75'],
    ['AR@100', 'mar100', 'recall with up to 100 detections per image, mean over IoU and classes'],
  ];
  return known
    .filter(([, key]) => typeof best[key] === 'number')
    .map(([name, key, note]) => ({ name, value: num(best[key]), note }));
}
