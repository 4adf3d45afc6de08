/** The loader a run reads a dataset with: training (shuffled, augmented) or evaluation (in order). */
import type { Dataset, DatasetSpec } from '../data/datasets/index.js';
import { Loader } from '../data/loader/index.js';
import type { TrainingConfig } from './config.js';
import { withDetectionTargets } from './tasks/detection.js';

/**
 * A dataset object is read as it is without workers; with workers each one rebuilds it from its spec with
 * `createDataset`, which the loader's worker imports statically.
 */
export function openDataLoader(
  dataset: Dataset | DatasetSpec,
  config: TrainingConfig,
  options: { train: boolean; workers?: number; shard?: { rank: number; count: number } },
): Promise<Loader> {
  const { train } = options;
  return Loader.create({
    dataset,
    transforms:
      config.task === 'detection'
        ? withDetectionTargets(config, train ? config.transforms.train : config.transforms.eval)
        : train
          ? config.transforms.train
          : config.transforms.eval,
    batchSize: train
      ? config.training.batchSize
      : (config.training.evalBatchSize ?? (config.task === 'segmentation' ? 1 : config.task === 'detection' ? 8 : 256)),
    shuffle: train,
    dropLast: train,
    seed: config.training.seed,
    workers: options.workers ?? config.training.workers,
    shard: options.shard,
  });
}
