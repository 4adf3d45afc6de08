import type { Average } from './classification-input.js';

/** One-vs-rest counts of one class, read off a confusion matrix. */
export interface ClassCounts {
  tp: number;
  fp: number;
  fn: number;
  tn: number;
  /** Number of samples whose true class is this one (tp + fn). */
  support: number;
}

export function classCounts(cm: number[][]): ClassCounts[] {
  const k = cm.length;
  let total = 0;
  for (const row of cm) for (const v of row) total += v;
  const out: ClassCounts[] = [];
  for (let c = 0; c < k; c++) {
    const tp = cm[c][c];
    let rowSum = 0;
    let colSum = 0;
    for (let j = 0; j < k; j++) {
      rowSum += cm[c][j];
      colSum += cm[j][c];
    }
    const fn = rowSum - tp;
    const fp = colSum - tp;
    out.push({ tp, fp, fn, tn: total - tp - fp - fn, support: rowSum });
  }
  return out;
}

/** a / b, with 0 for 0/0: sklearn's default `zero_division` behaviour. */
export function safeRatio(a: number, b: number): number {
  return b === 0 ? 0 : a / b;
}

/**
 * Combines a per-class score over a confusion matrix the way sklearn does:
 * - 'binary': the score of class 1 (2x2 matrix);
 * - 'macro': unweighted mean over all K classes;
 * - 'weighted': mean weighted by each class's support;
 * - 'micro': the score of the summed one-vs-rest counts.
 */
export function averageOverClasses(cm: number[][], average: Average, score: (c: ClassCounts) => number): number {
  const counts = classCounts(cm);
  switch (average) {
    case 'binary':
      return score(counts[1]);
    case 'macro':
      return counts.reduce((s, c) => s + score(c), 0) / counts.length;
    case 'weighted': {
      const total = counts.reduce((s, c) => s + c.support, 0);
      return safeRatio(
        counts.reduce((s, c) => s + score(c) * c.support, 0),
        total,
      );
    }
    case 'micro': {
      const sum: ClassCounts = { tp: 0, fp: 0, fn: 0, tn: 0, support: 0 };
      for (const c of counts) {
        sum.tp += c.tp;
        sum.fp += c.fp;
        sum.fn += c.fn;
        sum.tn += c.tn;
        sum.support += c.support;
      }
      return score(sum);
    }
  }
}
