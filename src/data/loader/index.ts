/** Batching: per-epoch shuffling, collation into contiguous typed arrays, worker-thread prefetching. */
export { Loader, type LoaderOptions, type LoaderStats } from './loader.js';
export { BatchSampler, type BatchSamplerOptions } from './batch-sampler.js';
export { collate, batchTransferList, type Batch, type BatchField } from './collate.js';
// The loader reads any dataset of ../datasets; in-memory arrays are re-exported here as the loader's quickest input.
export { shareArrays, type ArrayField } from '../datasets/index.js';
export type { ModuleRef } from '../module-ref.js';
export { openPipeline, type PipelineSpec } from './pipeline.js';
export { produceBatch, sampleRng } from './produce-batch.js';
export { LoaderError } from './loader-error.js';
