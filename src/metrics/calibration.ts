import { classificationShape, predictLabels } from './classification-input.js';
import { CumulativeClassificationMetric } from './cumulative.js';
import { MetricInputError } from './metric-input-error.js';

export interface CalibrationOptions {
  /** Number of equal-width bins over [0, 1]. Default 15 (Guo et al. 2017). */
  bins?: number;
  /**
   * 'top-label' (default): confidence = probability of the predicted class (argmax; binary predicts class 1
   * when p >= 0.5, confidence max(p, 1 - p)), correctness = prediction equals label (Guo et al.).
   * 'positive-class' (binary only): confidence = p, outcome = label, i.e. the reliability diagram of
   * sklearn's `calibration_curve(strategy='uniform')`.
   */
  mode?: 'top-label' | 'positive-class';
}

/**
 * Expected calibration error: sum over bins of (bin count / N) * |mean outcome - mean confidence|.
 * Bin b (0-based) holds confidences in (b/B, (b+1)/B], with 0 in the first bin — the same edges as
 * `np.searchsorted(edges[1:-1], conf)` in sklearn's calibration_curve. Empty bins contribute nothing.
 * NaN when empty.
 */
export function expectedCalibrationError(
  probs: ArrayLike<number>,
  labels: ArrayLike<number>,
  options: CalibrationOptions = {},
): number {
  const where = 'expectedCalibrationError';
  const shape = classificationShape(probs, labels, where);
  const bins = options.bins ?? 15;
  const mode = options.mode ?? 'top-label';
  const { n, k } = shape;
  if (n === 0) return NaN;
  if (mode === 'positive-class' && k !== 1) {
    throw new MetricInputError(where, `mode 'positive-class' needs binary input, got ${k} classes`);
  }
  const conf = new Float64Array(n);
  const outcome = new Float64Array(n);
  if (mode === 'positive-class') {
    conf.set(Array.from(probs));
    outcome.set(Array.from(labels));
  } else {
    const pred = predictLabels(probs, shape, 0.5);
    for (let i = 0; i < n; i++) {
      conf[i] = k === 1 ? (pred[i] === 1 ? probs[i] : 1 - probs[i]) : probs[i * k + pred[i]];
      outcome[i] = pred[i] === labels[i] ? 1 : 0;
    }
  }
  const count = new Float64Array(bins);
  const confSum = new Float64Array(bins);
  const outcomeSum = new Float64Array(bins);
  for (let i = 0; i < n; i++) {
    const b = Math.min(bins - 1, Math.max(0, Math.ceil(conf[i] * bins) - 1));
    count[b]++;
    confSum[b] += conf[i];
    outcomeSum[b] += outcome[i];
  }
  let ece = 0;
  for (let b = 0; b < bins; b++) if (count[b] > 0) ece += Math.abs(outcomeSum[b] - confSum[b]) / n;
  return ece;
}

export class CalibrationErrorMetric extends CumulativeClassificationMetric<number> {
  constructor(private readonly calibration: CalibrationOptions = {}) {
    super();
  }
  protected computeFrom(probs: Float64Array, labels: Int32Array): number {
    return expectedCalibrationError(probs, labels, this.calibration);
  }
}
