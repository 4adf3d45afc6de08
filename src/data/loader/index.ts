/** Batching: per-epoch shuffling, collation into contiguous typed arrays, worker-thread prefetching. */
export { Loader, type LoaderOptions, type LoaderStats } from './loader.js';
export { BatchSampler, type BatchSamplerOptions } from './batch-sampler.js';
export { collate, batchTransferList, type Batch, type BatchField } from './collate.js';
export { ArrayDataset, openDataset, shareArrays, type Dataset, type DatasetSpec, type ArrayField, type ModuleRef } from './dataset.js';
export { openPipeline, type PipelineSpec } from './pipeline.js';
export { produceBatch, sampleRng } from './produce-batch.js';
export { LoaderError } from './loader-error.js';
