/**
 * `split`: the training or the validation part of a seeded, stratified hold-out of another dataset, so a config
 * can name one file and still train and validate on disjoint patients:
 *
 *   { kind: 'split', of: { kind: 'table', file: 'pima.csv', label: 'diabetes' }, part: 'val', valFraction: 0.2 }
 *
 * The two parts of the same (of, valFraction, seed) are disjoint and cover every sample.
 */
import * as z from 'zod';
import type { Dataset } from './dataset.js';
import { holdOut } from './splits.js';
import { SubsetDataset } from './subset-dataset.js';
import type { DatasetSpec } from './spec.js';

export interface SplitSpec {
  kind: 'split';
  of: DatasetSpec;
  part: 'train' | 'val';
  /** Fraction of each class in the validation part (default 0.2). */
  valFraction?: number;
  /** Seed of the shuffle that deals samples to the parts (default 0). */
  seed?: number;
}

export const splitFields = {
  kind: z.literal('split'),
  part: z.enum(['train', 'val']),
  valFraction: z.number().gt(0).lt(1).optional(),
  seed: z.number().int().optional(),
};

/** The part of `base` a split spec selects (a SubsetDataset, which describes itself by indices). */
export function splitOf(base: Dataset, spec: SplitSpec): Dataset {
  const parts = holdOut(base.length, {
    fraction: spec.valFraction ?? 0.2,
    seed: spec.seed ?? 0,
    labels: base.labels(),
  });
  return new SubsetDataset(base, { indices: spec.part === 'train' ? parts.train : parts.val });
}

/**
 * The dataset a spec draws its samples from, below any split (cross-validation folds the whole of it): a
 * `split` spec's `of`, a `text` spec without its own `split`/`fold` (all its deduplicated notes), or a
 * `physionet2012` spec without its `fold` (every stay of the set).
 */
export function unsplit(spec: DatasetSpec): DatasetSpec {
  if (spec.kind === 'split') return unsplit(spec.of);
  if (spec.kind === 'text' && spec.split) {
    const { split: _split, fold: _fold, ...whole } = spec;
    void _split;
    void _fold;
    return whole;
  }
  if (spec.kind === 'physionet2012' && spec.fold) {
    const { fold: _fold, ...whole } = spec;
    void _fold;
    return whole;
  }
  return spec;
}
