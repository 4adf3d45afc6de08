import { classificationShape, type ClassificationOptions } from './classification-input.js';
import { confusionMatrixOf } from './confusion-matrix.js';
import { CumulativeClassificationMetric } from './cumulative.js';

/** Fraction of samples whose predicted class (p >= threshold, or argmax) equals the label. NaN when empty. */
export function accuracy(
  probs: ArrayLike<number>,
  labels: ArrayLike<number>,
  options: ClassificationOptions = {},
): number {
  const shape = classificationShape(probs, labels, 'accuracy');
  if (shape.n === 0) return NaN;
  const cm = confusionMatrixOf(probs, labels, shape, options.threshold);
  let correct = 0;
  for (let c = 0; c < cm.length; c++) correct += cm[c][c];
  return correct / shape.n;
}

export class AccuracyMetric extends CumulativeClassificationMetric<number> {
  protected computeFrom(probs: Float64Array, labels: Int32Array): number {
    return accuracy(probs, labels, this.options);
  }
}
