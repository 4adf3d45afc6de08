/**
 * Splits a dataset's indices into batches, reshuffled every epoch from `seed + epoch`: the order of epoch e
 * depends only on (seed, e), so a run resumed at epoch e sees exactly the batches it would have seen.
 */
import { Rng } from '../transforms/rng.js';
import { LoaderError } from './loader-error.js';

export interface BatchSamplerOptions {
  /** Number of samples in the dataset. */
  length: number;
  batchSize: number;
  /** Shuffle every epoch (default true); otherwise batches are in index order. */
  shuffle?: boolean;
  /** Drop the last incomplete batch (default false). */
  dropLast?: boolean;
  seed?: number;
}

export class BatchSampler {
  readonly length: number;
  readonly batchSize: number;
  readonly shuffle: boolean;
  readonly dropLast: boolean;
  readonly seed: number;

  constructor(opts: BatchSamplerOptions) {
    if (!Number.isInteger(opts.length) || opts.length < 0)
      throw new LoaderError(`BatchSampler: length must be an integer >= 0, got ${opts.length}`);
    if (!Number.isInteger(opts.batchSize) || opts.batchSize < 1)
      throw new LoaderError(`BatchSampler: batchSize must be an integer >= 1, got ${opts.batchSize}`);
    this.length = opts.length;
    this.batchSize = opts.batchSize;
    this.shuffle = opts.shuffle ?? true;
    this.dropLast = opts.dropLast ?? false;
    this.seed = opts.seed ?? 0;
  }

  /** Number of batches per epoch. */
  get batchCount(): number {
    return this.dropLast ? Math.floor(this.length / this.batchSize) : Math.ceil(this.length / this.batchSize);
  }

  /** The sample order of `epoch` (a permutation of 0..length-1 when shuffling). */
  order(epoch: number): number[] {
    const idx = [...Array(this.length).keys()];
    return this.shuffle ? Rng.seeded(this.seed + epoch).shuffle(idx) : idx;
  }

  /** The batches of `epoch`, as lists of sample indices. */
  batches(epoch: number): number[][] {
    const order = this.order(epoch);
    const out: number[][] = [];
    for (let b = 0; b < this.batchCount; b++) out.push(order.slice(b * this.batchSize, (b + 1) * this.batchSize));
    return out;
  }
}
