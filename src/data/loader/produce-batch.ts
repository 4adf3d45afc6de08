/**
 * Makes one batch: reads each sample, augments it with its own random stream Rng(seed).fork(epoch).fork(index)
 * and collates. Because the stream depends only on (seed, epoch, sample index), the batch is the same whichever
 * thread makes it and in whatever order: 0 or N workers give identical batches.
 */
import { Rng } from '../transforms/rng.js';
import type { Transform } from '../transforms/transform.js';
import { collate, type Batch } from './collate.js';
import type { Dataset } from '../datasets/index.js';
import { LoaderError } from './loader-error.js';

/** The random stream of sample `index` in `epoch`. */
export function sampleRng(seed: number, epoch: number, index: number): Rng {
  return Rng.seeded(seed).fork(epoch).fork(index);
}

export async function produceBatch(
  dataset: Dataset,
  transform: Transform | undefined,
  seed: number,
  epoch: number,
  batchIndex: number,
  indices: readonly number[],
): Promise<Batch> {
  const samples = [];
  const kept: number[] = [];
  const skipped: { file: string; reason: string }[] = [];
  for (const i of indices) {
    let s;
    try {
      s = await dataset.get(i);
    } catch (e) {
      // A skipBad dataset marks unreadable samples: drop them from the batch and report them.
      const err = e as Error & { skippedSample?: boolean; file?: string; reason?: string };
      if (err.skippedSample) {
        skipped.push({ file: err.file ?? `sample ${i}`, reason: err.reason ?? err.message });
        continue;
      }
      throw new LoaderError(`dataset.get(${i}) failed: ${err.message}`, { cause: e });
    }
    samples.push(transform ? transform.apply(s, sampleRng(seed, epoch, i)) : s);
    kept.push(i);
  }
  const batch = collate(samples, kept, epoch, batchIndex);
  if (skipped.length) batch.skipped = skipped;
  return batch;
}
