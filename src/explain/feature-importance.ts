/**
 * How much each feature of a table model matters, two ways:
 *
 * - permutation importance (Breiman 2001; scikit-learn's permutation_importance): the drop in AUROC when one
 *   feature's column (value and missing flag together) is shuffled across patients, averaged over repeats;
 * - masking faithfulness of the attention weights: for each patient, mark its k most-attended features as
 *   missing and measure how far the positive-class probability moves; compare with masking k features drawn at
 *   random. Faithful weights move the prediction more (DeYoung et al. 2020, "comprehensiveness").
 *
 * Rows are a table dataset's [2, F] inputs (values, then the missing indicator).
 */
import { Rng } from '../data/transforms/index.js';
import { binaryAuroc } from '../metrics/index.js';
import { FEATURE_WEIGHTS, type TableClassifier } from '../models/tabular/table-classifier.js';
import { noGrad, tensor, tidy } from '../tensor/index.js';

export interface TablePredictions {
  /** Probability of the positive (last) class per row. */
  probability: Float32Array;
  /** Feature weights, row-major [rows, F]. */
  weights: Float32Array;
}

/** Positive-class probabilities and feature weights of `rows` (each [2, F]), in batches of 512. */
export function predictRows(model: TableClassifier, rows: Float32Array[]): TablePredictions {
  const f = model.config.columns.length;
  const probability = new Float32Array(rows.length);
  const weights = new Float32Array(rows.length * f);
  model.eval();
  for (let start = 0; start < rows.length; start += 512) {
    const batch = rows.slice(start, start + 512);
    const x = new Float32Array(batch.length * 2 * f);
    batch.forEach((r, i) => x.set(r, i * 2 * f));
    tidy(() =>
      noGrad(() => {
        const { output, attention } = model.forwardWithAttention(tensor(x, { shape: [batch.length, 2, f] }));
        const p = output.softmax(1);
        probability.set(p.select(1, p.shape[1] - 1).toArray() as Float32Array, start);
        weights.set(attention.get(FEATURE_WEIGHTS)!.toArray() as Float32Array, start * f);
      }),
    );
  }
  return { probability, weights };
}

/** A copy of `row` with features `features` marked missing (value 0, indicator 1). */
export function maskFeatures(row: Float32Array, features: Iterable<number>): Float32Array {
  const f = row.length / 2;
  const out = row.slice();
  for (const j of features) {
    out[j] = 0;
    out[f + j] = 1;
  }
  return out;
}

export interface PermutationImportance {
  /** Mean AUROC drop per feature (baseline AUROC minus AUROC with the feature shuffled). */
  importance: number[];
  std: number[];
  baseline: number;
}

export function permutationImportance(
  model: TableClassifier,
  rows: Float32Array[],
  labels: ArrayLike<number>,
  options: { repeats?: number; seed?: number } = {},
): PermutationImportance {
  const f = model.config.columns.length;
  const top = Math.max(...Array.from(labels));
  const positive = Array.from(labels, (y) => y === top);
  const baseline = binaryAuroc(predictRows(model, rows).probability, positive);
  const rng = Rng.seeded(options.seed ?? 0);
  const repeats = options.repeats ?? 5;
  const importance: number[] = [];
  const std: number[] = [];
  for (let j = 0; j < f; j++) {
    const drops: number[] = [];
    for (let r = 0; r < repeats; r++) {
      const order = rng.shuffle(rows.map((_, i) => i));
      const shuffled = rows.map((row, i) => {
        const out = row.slice();
        out[j] = rows[order[i]][j];
        out[f + j] = rows[order[i]][f + j];
        return out;
      });
      drops.push(baseline - binaryAuroc(predictRows(model, shuffled).probability, positive));
    }
    const mean = drops.reduce((a, b) => a + b, 0) / repeats;
    importance.push(mean);
    std.push(Math.sqrt(drops.reduce((a, b) => a + (b - mean) ** 2, 0) / Math.max(1, repeats - 1)));
  }
  return { importance, std, baseline };
}

export interface MaskingFaithfulness {
  k: number;
  /** Mean |change in positive-class probability| when each patient's top-k attended features are masked. */
  topK: number;
  /** The same for k features drawn at random (mean over `draws` draws per patient). */
  random: number;
  /** Patients where masking the top-k moved the prediction more than the random draws' mean. */
  fractionTopKLarger: number;
}

export function maskingFaithfulness(
  model: TableClassifier,
  rows: Float32Array[],
  options: { k?: number; draws?: number; seed?: number } = {},
): MaskingFaithfulness {
  const f = model.config.columns.length;
  const k = Math.min(options.k ?? 3, f);
  const draws = options.draws ?? 5;
  const rng = Rng.seeded(options.seed ?? 0);
  const { probability, weights } = predictRows(model, rows);
  const top = rows.map((row, i) => {
    const w = Array.from(weights.subarray(i * f, (i + 1) * f));
    return maskFeatures(
      row,
      w
        .map((v, j) => [v, j])
        .sort((a, b) => b[0] - a[0])
        .slice(0, k)
        .map(([, j]) => j),
    );
  });
  const random = rows.flatMap((row) =>
    Array.from({ length: draws }, () =>
      maskFeatures(row, rng.shuffle(Array.from({ length: f }, (_, j) => j)).slice(0, k)),
    ),
  );
  const pTop = predictRows(model, top).probability;
  const pRandom = predictRows(model, random).probability;
  let sumTop = 0;
  let sumRandom = 0;
  let larger = 0;
  rows.forEach((_, i) => {
    const dTop = Math.abs(pTop[i] - probability[i]);
    let dRandom = 0;
    for (let d = 0; d < draws; d++) dRandom += Math.abs(pRandom[i * draws + d] - probability[i]);
    dRandom /= draws;
    sumTop += dTop;
    sumRandom += dRandom;
    if (dTop > dRandom) larger++;
  });
  return { k, topK: sumTop / rows.length, random: sumRandom / rows.length, fractionTopKLarger: larger / rows.length };
}
