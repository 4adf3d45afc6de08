/**
 * Splits a dataset's indices into batches, reshuffled every epoch from `seed + epoch`: the order of epoch e
 * depends only on (seed, e), so a run resumed at epoch e sees exactly the batches it would have seen.
 *
 * With a `shard` (data-parallel training) every rank draws the same epoch permutation and keeps every
 * `count`-th sample from position `rank`, as PyTorch's DistributedSampler: the shards are disjoint and cover the
 * epoch (padded by wrapping around to a multiple of `count`, so all ranks take the same number of steps), and
 * batch k of B samples on each of R ranks holds exactly batch k of R*B samples of one process.
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
  /** This rank's share of every epoch (data-parallel training). */
  shard?: { rank: number; count: number };
}

export class BatchSampler {
  readonly length: number;
  readonly batchSize: number;
  readonly shuffle: boolean;
  readonly dropLast: boolean;
  readonly seed: number;
  readonly shard: { rank: number; count: number };

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
    this.shard = opts.shard ?? { rank: 0, count: 1 };
    const { rank, count } = this.shard;
    if (!Number.isInteger(count) || count < 1 || !Number.isInteger(rank) || rank < 0 || rank >= count)
      throw new LoaderError(`BatchSampler: shard must have 0 <= rank < count, got rank ${rank} of ${count}`);
  }

  /** Samples this rank sees per epoch (all of them without a shard). */
  get shardLength(): number {
    return Math.ceil(this.length / this.shard.count);
  }

  /** Number of batches per epoch. */
  get batchCount(): number {
    const n = this.shardLength;
    return this.dropLast ? Math.floor(n / this.batchSize) : Math.ceil(n / this.batchSize);
  }

  /** This rank's sample order in `epoch` (a permutation of 0..length-1 when shuffling, without a shard). */
  order(epoch: number): number[] {
    const idx = [...Array(this.length).keys()];
    const all = this.shuffle ? Rng.seeded(this.seed + epoch).shuffle(idx) : idx;
    const { rank, count } = this.shard;
    if (count === 1) return all;
    return Array.from({ length: this.shardLength }, (_, i) => all[(rank + i * count) % this.length]);
  }

  /** The batches of `epoch`, as lists of sample indices. */
  batches(epoch: number): number[][] {
    const order = this.order(epoch);
    const out: number[][] = [];
    for (let b = 0; b < this.batchCount; b++) out.push(order.slice(b * this.batchSize, (b + 1) * this.batchSize));
    return out;
  }
}
