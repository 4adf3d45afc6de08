/** The loader a run reads a dataset spec with: training (shuffled, augmented) or evaluation (in order). */
import { Loader } from '../data/loader/index.js';
import type { TrainingConfig } from './config.js';

// Loader workers rebuild datasets from their JSON spec with this module's createDataset.
const DATASETS_MODULE = new URL('../data/datasets/index.ts', import.meta.url).href;

export function openDataLoader(spec: Record<string, unknown>, config: TrainingConfig, options: { train: boolean; workers?: number }): Promise<Loader> {
  const { train } = options;
  return Loader.create({
    dataset: { module: DATASETS_MODULE, export: 'createDataset', options: spec },
    transforms: (train ? config.transforms.train : config.transforms.eval) as any,
    batchSize: train ? config.training.batchSize : (config.training.evalBatchSize ?? (config.task === 'segmentation' ? 1 : 256)),
    shuffle: train,
    dropLast: train,
    seed: config.training.seed,
    workers: options.workers ?? config.training.workers,
  });
}
