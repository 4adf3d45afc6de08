import { accuracy } from './accuracy.js';
import { auroc } from './auroc.js';
import { averagePrecision } from './average-precision.js';
import { balancedAccuracy } from './balanced-accuracy.js';
import { expectedCalibrationError } from './calibration.js';
import { classificationShape, resolveAverage, type Average } from './classification-input.js';
import { confusionMatrix } from './confusion-matrix.js';
import { f1Score } from './f1.js';
import { precision } from './precision.js';
import { recall } from './recall.js';
import { specificity } from './specificity.js';

export interface ClassificationReportOptions {
  /** Binary decision threshold (p >= threshold is positive). Default 0.5; see `selectThreshold`. */
  threshold?: number;
  /** Averaging of precision/recall/specificity/F1 (and AUROC/AUPRC one-vs-rest) for multi-class: default 'macro'. */
  average?: Exclude<Average, 'binary'>;
  /** ECE bins, default 15. */
  eceBins?: number;
}

/**
 * The classification metrics of `medattn evaluate --json`. Keys follow the CLI contract (snake_case).
 * NaN (e.g. AUROC with a single class present) becomes null under JSON.stringify.
 */
export interface ClassificationReport {
  n: number;
  accuracy: number;
  balanced_accuracy: number;
  auroc: number;
  auprc: number;
  precision: number;
  recall: number;
  specificity: number;
  f1: number;
  /** Top-label expected calibration error, 15 equal-width bins by default. */
  ece: number;
  /** Rows true class, columns predicted class. */
  confusion_matrix: number[][];
  /** The threshold used (binary only). */
  threshold?: number;
  /** 'binary', or the multi-class averaging used. */
  average: Average;
}

export function classificationReport(
  probs: ArrayLike<number>,
  labels: ArrayLike<number>,
  options: ClassificationReportOptions = {},
): ClassificationReport {
  const shape = classificationShape(probs, labels, 'classificationReport');
  const binary = shape.k === 1;
  const average = binary ? 'binary' : resolveAverage(shape, options.average, 'classificationReport');
  const threshold = binary ? (options.threshold ?? 0.5) : undefined;
  const opts = { threshold, average };
  const rankingOpts = { average: binary ? undefined : average };
  const report: ClassificationReport = {
    n: shape.n,
    accuracy: accuracy(probs, labels, opts),
    balanced_accuracy: balancedAccuracy(probs, labels, opts),
    auroc: auroc(probs, labels, rankingOpts),
    auprc: averagePrecision(probs, labels, rankingOpts),
    precision: precision(probs, labels, opts),
    recall: recall(probs, labels, opts),
    specificity: specificity(probs, labels, opts),
    f1: f1Score(probs, labels, opts),
    ece: expectedCalibrationError(probs, labels, { bins: options.eceBins }),
    confusion_matrix: confusionMatrix(probs, labels, opts),
    average,
  };
  if (threshold !== undefined) report.threshold = threshold;
  return report;
}
