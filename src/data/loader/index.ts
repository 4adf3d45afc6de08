/** Batching: per-epoch shuffling, collation into contiguous typed arrays, worker-thread prefetching. */
export { Loader, type LoaderOptions, type LoaderStats } from './loader.ts';
export { BatchSampler, type BatchSamplerOptions } from './batch-sampler.ts';
export { collate, batchTransferList, type Batch, type BatchField } from './collate.ts';
export { ArrayDataset, openDataset, shareArrays, type Dataset, type DatasetSpec, type ArrayField, type ModuleRef } from './dataset.ts';
export { openPipeline, type PipelineSpec } from './pipeline.ts';
export { produceBatch, sampleRng } from './produce-batch.ts';
export { LoaderError } from './loader-error.ts';
