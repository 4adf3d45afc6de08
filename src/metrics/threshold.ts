import { binaryCurve } from './binary-curve.js';
import { classificationShape } from './classification-input.js';
import { MetricInputError } from './metric-input-error.js';

export type ThresholdCriterion = 'youden' | 'f1';

export interface ThresholdChoice {
  /** Predict positive when p >= threshold. */
  threshold: number;
  criterion: ThresholdCriterion;
  /** The criterion's value at the threshold: Youden's J = sensitivity + specificity - 1, or F1. */
  value: number;
  /**
   * Halfway between `threshold` and the next lower distinct score (half of it for the lowest score): the same
   * decisions on these data, but no sample lies on it, so a rounding difference between engines or CPUs (ONNX
   * Runtime against libtorch, AVX2 against AVX-512: about 1e-7) cannot flip one. The threshold to deploy.
   */
  midpoint: number;
}

/**
 * Chooses the decision threshold of a binary classifier on validation data, to be applied unchanged to the
 * test data. Candidates are the distinct validation scores (the thresholds of the ROC curve), so the chosen
 * threshold is one of the scores; on ties the highest threshold wins (the first maximum along the ROC curve,
 * as `argmax` over sklearn's roc_curve gives). Throws when the criterion is undefined (no positive sample,
 * or for Youden no negative sample).
 */
export function selectThreshold(
  probs: ArrayLike<number>,
  labels: ArrayLike<number>,
  criterion: ThresholdCriterion = 'youden',
): ThresholdChoice {
  const where = 'selectThreshold';
  const shape = classificationShape(probs, labels, where);
  if (shape.k !== 1) throw new MetricInputError(where, `needs binary probabilities, got ${shape.k} classes`);
  const c = binaryCurve(probs, labels);
  if (c.positives === 0) throw new MetricInputError(where, 'validation data has no positive sample');
  if (criterion === 'youden' && c.negatives === 0) {
    throw new MetricInputError(where, 'validation data has no negative sample (Youden J undefined)');
  }
  let best = -Infinity;
  let bestIndex = 0;
  for (let i = 0; i < c.thresholds.length; i++) {
    const tp = c.tps[i];
    const fp = c.fps[i];
    const value =
      criterion === 'youden' ? tp / c.positives - fp / c.negatives : (2 * tp) / (2 * tp + fp + (c.positives - tp));
    if (value > best) {
      best = value;
      bestIndex = i;
    }
  }
  const threshold = c.thresholds[bestIndex];
  const midpoint = (threshold + (bestIndex + 1 < c.thresholds.length ? c.thresholds[bestIndex + 1] : 0)) / 2;
  return { threshold, criterion, value: best, midpoint };
}
