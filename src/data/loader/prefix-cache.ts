/**
 * MONAI CacheDataset for the loader: when the dataset is preloaded, the pipeline's leading deterministic
 * transforms (those before the first random one, see `Transform.deterministic`) run once per sample at open
 * and their output is kept; each batch then runs only the rest of the pipeline on the kept output. DRIVE's
 * CLAHE on the whole 565x584 image ran for each of the 360 patches of an epoch; now it runs once per case.
 *
 * The rest runs with the same random streams as the whole pipeline would (`Compose.applyFrom`), and the skipped
 * transforms draw none, so batches are bit-identical to the uncached path for any number of workers. Keyed by
 * `Dataset.sourceIndex`, so a subset's repeats share one entry; bounded by the cache budget (MEDATTN_CACHE_MB):
 * a sample that does not fit is prepared again each time it is read.
 */
import { DecodedCache, preloadInto } from '../datasets/decoded-cache.js';
import type { Dataset, DatasetSample, SkippedFile } from '../datasets/index.js';
import { Compose } from '../transforms/compose.js';
import { Rng } from '../transforms/rng.js';
import type { Sample, Transform } from '../transforms/transform.js';

/** A pipeline cut after its leading deterministic transforms: `rest(prefix(s))` equals the pipeline's `apply(s)`. */
export interface PipelineSplit {
  /** The leading deterministic transforms, or undefined when the pipeline starts with a random one. */
  prefix: Transform | undefined;
  /** What remains, on the same random streams as in the whole pipeline; undefined when nothing remains. */
  rest: Transform | undefined;
}

/** Splits `pipeline` after its leading deterministic transforms (a whole deterministic transform is all prefix). */
export function splitDeterministicPrefix(pipeline: Transform | undefined): PipelineSplit {
  if (!pipeline) return { prefix: undefined, rest: undefined };
  if (!(pipeline instanceof Compose))
    return pipeline.deterministic === true
      ? { prefix: pipeline, rest: undefined }
      : { prefix: undefined, rest: pipeline };
  const all = pipeline.transforms;
  let k = 0;
  while (k < all.length && all[k].deterministic === true) k++;
  if (k === 0) return { prefix: undefined, rest: pipeline };
  const prefix = new Compose(all.slice(0, k));
  if (k === all.length) return { prefix, rest: undefined };
  return {
    prefix,
    rest: { apply: (sample: Sample, rng: Rng) => pipeline.applyFrom(sample, rng, k) },
  };
}

/** `dataset` as the loader reads it: samples with the deterministic prefix already applied, cached per sample. */
class PrefixCachedDataset implements Dataset {
  readonly length: number;
  readonly classNames?: string[];
  private readonly cache = new DecodedCache();

  constructor(
    private readonly base: Dataset,
    private readonly prefix: Transform,
  ) {
    this.length = base.length;
    if (base.classNames) this.classNames = base.classNames;
  }

  private key(index: number): number {
    return this.base.sourceIndex?.(index) ?? index;
  }

  private async prepare(index: number): Promise<DatasetSample> {
    // Deterministic transforms draw nothing: any stream gives the same output.
    return this.prefix.apply(await this.base.get(index), Rng.seeded(0)) as DatasetSample;
  }

  get(index: number): Promise<DatasetSample> {
    return this.cache.get(this.key(index), () => this.prepare(index));
  }

  /** Prepares every sample once (the first index that shows it). */
  async fill(): Promise<void> {
    const first = new Map<number, number>();
    for (let i = 0; i < this.length; i++) {
      const k = this.key(i);
      if (!first.has(k)) first.set(k, i);
    }
    await preloadInto(this.cache, first.keys(), (k) => this.prepare(first.get(k)!));
  }

  labels(): Int32Array | undefined {
    return this.base.labels();
  }
  ids(): string[] {
    return this.base.ids();
  }
  describe() {
    return this.base.describe();
  }
  skipped(): SkippedFile[] {
    return this.base.skipped();
  }
}

/**
 * The dataset and transform a loader makes batches with: unchanged unless `preloaded` and the pipeline starts
 * with deterministic transforms; then a cached view of the dataset (filled now) and the rest of the pipeline.
 */
export async function cacheDeterministicPrefix(
  dataset: Dataset,
  pipeline: Transform | undefined,
  preloaded: boolean,
): Promise<{ dataset: Dataset; transform: Transform | undefined }> {
  const { prefix, rest } = splitDeterministicPrefix(pipeline);
  if (!preloaded || !prefix) return { dataset, transform: pipeline };
  const cached = new PrefixCachedDataset(dataset, prefix);
  await cached.fill();
  return { dataset: cached, transform: rest };
}
