/**
 * Class counts and class weights for imbalanced data (PneumoniaMNIST is about 1 normal : 3 pneumonia), for
 * weighted losses and balanced samplers.
 *
 * - 'inverse': n / (k * count_c), scikit-learn's class_weight='balanced': a balanced set gets weight 1 each.
 * - 'effective': the class-balanced weights of Cui et al. (CVPR 2019), (1 - beta) / (1 - beta^count_c), which
 *   grow less than linearly with rarity (a sample's extra information saturates); normalised to sum to k as
 *   in the paper. beta = 0.999 by default; beta → 1 approaches 'inverse', beta = 0 gives equal weights.
 */

/** Samples per class; labels outside 0..numClasses-1 (e.g. -1 for unlabelled) are not counted. */
export function classCounts(labels: ArrayLike<number>, numClasses?: number): number[] {
  let k = numClasses ?? 0;
  if (numClasses === undefined) for (let i = 0; i < labels.length; i++) k = Math.max(k, labels[i] + 1);
  const counts = new Array<number>(k).fill(0);
  for (let i = 0; i < labels.length; i++) {
    const c = labels[i];
    if (Number.isInteger(c) && c >= 0 && c < k) counts[c]++;
  }
  return counts;
}

export type ClassWeighting = 'inverse' | 'effective';

export interface ClassWeightOptions {
  method?: ClassWeighting;
  /** Cui et al.'s beta in [0, 1) for 'effective'. Default 0.999. */
  beta?: number;
}

/**
 * One weight per class from class counts (see `classCounts`). A class without samples gets weight 0: it
 * contributes nothing to a loss either way, and an infinite weight would poison the loss with NaN.
 */
export function classWeights(counts: readonly number[], options: ClassWeightOptions = {}): number[] {
  const method = options.method ?? 'inverse';
  const k = counts.length;
  if (k === 0) throw new RangeError('classWeights: no classes');
  if (counts.some((c) => !(c >= 0)))
    throw new RangeError(`classWeights: counts must be >= 0, got [${counts.join(', ')}]`);
  if (method === 'inverse') {
    const n = counts.reduce((a, b) => a + b, 0);
    return counts.map((c) => (c > 0 ? n / (k * c) : 0));
  }
  if (method !== 'effective')
    throw new RangeError(`classWeights: method must be 'inverse' or 'effective', got '${String(method)}'`);
  const beta = options.beta ?? 0.999;
  if (!(beta >= 0 && beta < 1)) throw new RangeError(`classWeights: beta must be in [0, 1), got ${beta}`);
  // (1 - beta^n) computed as -expm1(n log beta) keeps precision when beta is close to 1.
  const raw = counts.map((c) => (c > 0 ? (1 - beta) / -Math.expm1(c * Math.log(beta)) : 0));
  const present = counts.filter((c) => c > 0).length;
  const sum = raw.reduce((a, b) => a + b, 0);
  return raw.map((w) => (w * present) / sum);
}
