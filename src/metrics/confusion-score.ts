import { classificationShape, resolveAverage, type ClassificationOptions } from './classification-input.js';
import { averageOverClasses, type ClassCounts } from './class-counts.js';
import { confusionMatrixOf } from './confusion-matrix.js';

/**
 * Scores a per-class ratio (precision, recall, ...) of thresholded/argmaxed predictions, averaged as
 * `options.average` says. Empty input scores NaN: there is nothing to measure.
 */
export function confusionScore(
  where: string,
  probs: ArrayLike<number>,
  labels: ArrayLike<number>,
  options: ClassificationOptions,
  score: (c: ClassCounts) => number,
): number {
  const shape = classificationShape(probs, labels, where);
  const average = resolveAverage(shape, options.average, where);
  if (shape.n === 0) return NaN;
  return averageOverClasses(confusionMatrixOf(probs, labels, shape, options.threshold), average, score);
}
