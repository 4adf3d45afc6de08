import { MetricInputError } from './metric-input-error.js';

/**
 * Shared conventions of the classification metrics.
 *
 * - Binary: `probs` has one value per sample, the probability (or any score) of the positive class 1;
 *   labels are 0/1.
 * - Multi-class: `probs` is [N, K] row-major (K >= 2 columns, one per class), labels are 0..K-1. K is
 *   inferred as probs.length / labels.length.
 */
export type Average = 'binary' | 'macro' | 'micro' | 'weighted';

export interface ClassificationOptions {
  /** Binary only: a sample is predicted positive when its probability is >= threshold. Default 0.5. */
  threshold?: number;
  /** How per-class scores are combined. Default 'binary' for binary input, 'macro' for multi-class. */
  average?: Average;
}

export interface ClassificationShape {
  n: number;
  /** 1 for binary input (positive-class probabilities), else the number of classes. */
  k: number;
  /** Number of classes in the confusion matrix: 2 for binary, k otherwise. */
  classes: number;
}

/** Validates probs/labels and infers N and K; throws MetricInputError naming `where`. */
export function classificationShape(
  probs: ArrayLike<number>,
  labels: ArrayLike<number>,
  where: string,
): ClassificationShape {
  const n = labels.length;
  if (n === 0) {
    if (probs.length !== 0) throw new MetricInputError(where, `got ${probs.length} probabilities but no labels`);
    return { n: 0, k: 1, classes: 2 };
  }
  if (probs.length % n !== 0) {
    throw new MetricInputError(
      where,
      `probabilities length ${probs.length} is not a multiple of the ${n} labels (expected N or N*K values)`,
    );
  }
  const k = probs.length / n;
  const classes = k === 1 ? 2 : k;
  for (let i = 0; i < n; i++) {
    const y = labels[i];
    if (!Number.isInteger(y) || y < 0 || y >= classes) {
      throw new MetricInputError(where, `label ${y} at index ${i} is not an integer class in 0..${classes - 1}`);
    }
  }
  for (let i = 0; i < probs.length; i++) {
    if (Number.isNaN(probs[i])) throw new MetricInputError(where, `probability at index ${i} is NaN`);
  }
  return { n, k, classes };
}

/** The average to use when the caller gave none, and a check that 'binary' is only used on binary input. */
export function resolveAverage(shape: ClassificationShape, average: Average | undefined, where: string): Average {
  const avg = average ?? (shape.k === 1 ? 'binary' : 'macro');
  if (avg === 'binary' && shape.k !== 1) {
    throw new MetricInputError(where, `average 'binary' needs binary input, got ${shape.k} classes`);
  }
  return avg;
}

/** Hard predictions: binary p >= threshold, multi-class argmax (first maximum wins, like numpy). */
export function predictLabels(probs: ArrayLike<number>, shape: ClassificationShape, threshold = 0.5): Int32Array {
  const { n, k } = shape;
  const out = new Int32Array(n);
  if (k === 1) {
    for (let i = 0; i < n; i++) out[i] = probs[i] >= threshold ? 1 : 0;
    return out;
  }
  for (let i = 0; i < n; i++) {
    let best = 0;
    let bestValue = probs[i * k];
    for (let c = 1; c < k; c++) {
      const v = probs[i * k + c];
      if (v > bestValue) {
        bestValue = v;
        best = c;
      }
    }
    out[i] = best;
  }
  return out;
}

/** The scores of one class, for one-vs-rest curves: binary class 1 is `probs` itself, class 0 is 1 - p. */
export function classScores(probs: ArrayLike<number>, shape: ClassificationShape, c: number): Float64Array {
  const { n, k } = shape;
  const out = new Float64Array(n);
  if (k === 1) {
    for (let i = 0; i < n; i++) out[i] = c === 1 ? probs[i] : 1 - probs[i];
  } else {
    for (let i = 0; i < n; i++) out[i] = probs[i * k + c];
  }
  return out;
}
