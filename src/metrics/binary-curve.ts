/**
 * Cumulative true/false positive counts at every distinct score, highest first (sklearn's
 * `_binary_clf_curve`): at thresholds[i], predicting "positive when score >= thresholds[i]" gives tps[i]
 * true positives and fps[i] false positives. Tied scores form one step, which is what makes the AUROC of
 * tied data equal the average-rank (Mann-Whitney) value.
 */
export interface BinaryCurve {
  thresholds: Float64Array;
  tps: Float64Array;
  fps: Float64Array;
  positives: number;
  negatives: number;
}

export function binaryCurve(scores: ArrayLike<number>, positive: ArrayLike<boolean | number>): BinaryCurve {
  const n = scores.length;
  const order = new Uint32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  // Descending by score; ties are grouped below, so their internal order does not matter.
  order.sort((a, b) => (scores[b] > scores[a] ? 1 : scores[b] < scores[a] ? -1 : 0));
  const thresholds: number[] = [];
  const tps: number[] = [];
  const fps: number[] = [];
  let tp = 0;
  let fp = 0;
  for (let j = 0; j < n; j++) {
    const i = order[j];
    if (positive[i]) tp++;
    else fp++;
    // Close a step at the last sample of each group of equal scores.
    if (j === n - 1 || scores[order[j + 1]] !== scores[i]) {
      thresholds.push(scores[i]);
      tps.push(tp);
      fps.push(fp);
    }
  }
  return {
    thresholds: Float64Array.from(thresholds),
    tps: Float64Array.from(tps),
    fps: Float64Array.from(fps),
    positives: tp,
    negatives: fp,
  };
}
