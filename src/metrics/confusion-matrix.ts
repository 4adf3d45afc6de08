import {
  classificationShape,
  predictLabels,
  type ClassificationOptions,
  type ClassificationShape,
} from './classification-input.js';
import { CumulativeClassificationMetric } from './cumulative.js';
import { MetricInputError } from './metric-input-error.js';

/**
 * Confusion matrix like sklearn's `confusion_matrix`: rows are the true class, columns the predicted class.
 * Binary input gives [[TN, FP], [FN, TP]]. Every class 0..K-1 gets a row, even when absent from the data.
 */
export function confusionMatrix(
  probs: ArrayLike<number>,
  labels: ArrayLike<number>,
  options: ClassificationOptions = {},
): number[][] {
  const shape = classificationShape(probs, labels, 'confusionMatrix');
  return confusionMatrixOf(probs, labels, shape, options.threshold);
}

/** Confusion matrix from hard predicted labels. */
export function confusionMatrixFromPredictions(
  predicted: ArrayLike<number>,
  labels: ArrayLike<number>,
  numClasses: number,
): number[][] {
  if (predicted.length !== labels.length) {
    throw new MetricInputError(
      'confusionMatrixFromPredictions',
      `${predicted.length} predictions but ${labels.length} labels`,
    );
  }
  const cm = Array.from({ length: numClasses }, () => new Array<number>(numClasses).fill(0));
  for (let i = 0; i < labels.length; i++) {
    const t = labels[i];
    const p = predicted[i];
    if (!Number.isInteger(t) || t < 0 || t >= numClasses || !Number.isInteger(p) || p < 0 || p >= numClasses) {
      throw new MetricInputError(
        'confusionMatrixFromPredictions',
        `label ${t} / prediction ${p} at index ${i} is not a class in 0..${numClasses - 1}`,
      );
    }
    cm[t][p]++;
  }
  return cm;
}

/** Internal: the matrix for already-validated input. */
export function confusionMatrixOf(
  probs: ArrayLike<number>,
  labels: ArrayLike<number>,
  shape: ClassificationShape,
  threshold?: number,
): number[][] {
  return confusionMatrixFromPredictions(predictLabels(probs, shape, threshold), labels, shape.classes);
}

/** Accumulates predictions batch by batch; `compute()` returns the matrix of everything seen since `reset()`. */
export class ConfusionMatrixMetric extends CumulativeClassificationMetric<number[][]> {
  protected computeFrom(probs: Float64Array, labels: Int32Array): number[][] {
    return confusionMatrix(probs, labels, this.options);
  }
}
