/**
 * Deterministic, seeded data splits: k-fold cross-validation and hold-out, stratified by label when labels
 * are given (every fold keeps the class proportions, as scikit-learn's StratifiedKFold does). The same
 * (n, labels, k, seed) always gives the same folds, so a run's config pins its split.
 *
 * Splits are index lists; `splitIds` turns them into id lists (for a `pairs` spec's `ids`, or a `subset` spec).
 */
import { Rng } from '../transforms/rng.js';

export interface Split {
  /** Sorted ascending. */
  train: number[];
  /** Sorted ascending. */
  val: number[];
}

export interface KFoldOptions {
  k: number;
  seed?: number;
  /** Stratify by these labels (one per sample); negative labels (unlabelled) form their own group. */
  labels?: ArrayLike<number>;
}

/**
 * k folds; fold f validates on its part and trains on the rest. Parts are disjoint and cover 0..n-1. With
 * labels, each class is shuffled and dealt round-robin over the folds, continuing where the previous class
 * stopped, so each fold gets floor or ceil of (count_c / k) of class c and the fold sizes differ by at most 1.
 */
export function kFold(n: number, options: KFoldOptions): Split[] {
  const { k } = options;
  if (!Number.isInteger(n) || n < 0) throw new RangeError(`kFold: n must be a non-negative integer, got ${n}`);
  if (!Number.isInteger(k) || k < 2) throw new RangeError(`kFold: k must be an integer >= 2, got ${k}`);
  if (k > n) throw new RangeError(`kFold: k = ${k} folds need at least ${k} samples, got ${n}`);
  const rng = Rng.seeded(options.seed ?? 0);
  const part = new Int32Array(n);
  if (options.labels) {
    let next = 0;
    for (const members of groupsOf(n, options.labels)) {
      rng.shuffle(members);
      for (const i of members) {
        part[i] = next;
        next = (next + 1) % k;
      }
    }
  } else {
    // Shuffled, then cut into k contiguous parts whose sizes differ by at most 1 (the first n % k get one more).
    const order = rng.shuffle(Array.from({ length: n }, (_, i) => i));
    let at = 0;
    for (let f = 0; f < k; f++) {
      const size = Math.floor(n / k) + (f < n % k ? 1 : 0);
      for (let j = 0; j < size; j++) part[order[at++]] = f;
    }
  }
  return Array.from({ length: k }, (_, f) => splitBy(part, (p) => p === f));
}

export interface HoldOutOptions {
  /** Fraction of samples in `val` (0 < fraction < 1). */
  fraction: number;
  seed?: number;
  labels?: ArrayLike<number>;
}

/** One train/val split with round(fraction * count) of each class (or of all samples) in `val`. */
export function holdOut(n: number, options: HoldOutOptions): Split {
  const { fraction } = options;
  if (!(fraction > 0 && fraction < 1)) throw new RangeError(`holdOut: fraction must be in (0, 1), got ${fraction}`);
  const rng = Rng.seeded(options.seed ?? 0);
  const inVal = new Uint8Array(n);
  const groups = options.labels ? groupsOf(n, options.labels) : [Array.from({ length: n }, (_, i) => i)];
  for (const members of groups) {
    rng.shuffle(members);
    const m = Math.round(fraction * members.length);
    for (let j = 0; j < m; j++) inVal[members[j]] = 1;
  }
  return splitBy(inVal, (v) => v === 1);
}

/** A split as sample ids (`ids[i]` is the id of sample i, e.g. `dataset.ids()`). */
export function splitIds(split: Split, ids: readonly string[]): { train: string[]; val: string[] } {
  return { train: split.train.map((i) => ids[i]), val: split.val.map((i) => ids[i]) };
}

/** Sample indices per label value, labels in ascending order (so the result does not depend on sample order). */
function groupsOf(n: number, labels: ArrayLike<number>): number[][] {
  if (labels.length !== n) throw new RangeError(`split: ${labels.length} labels for ${n} samples`);
  const byLabel = new Map<number, number[]>();
  for (let i = 0; i < n; i++) {
    const c = labels[i] < 0 ? -1 : labels[i];
    let list = byLabel.get(c);
    if (!list) byLabel.set(c, (list = []));
    list.push(i);
  }
  return [...byLabel.entries()].sort((a, b) => a[0] - b[0]).map(([, members]) => members);
}

function splitBy(part: ArrayLike<number>, isVal: (p: number) => boolean): Split {
  const train: number[] = [];
  const val: number[] = [];
  for (let i = 0; i < part.length; i++) (isVal(part[i]) ? val : train).push(i);
  return { train, val };
}
