/**
 * medattn's public API. Layers (see README): tensor -> nn -> models -> data -> train/metrics/explain.
 * Areas whose names would collide are namespaced: `transforms`, `io`, `metrics`. Each area is also its own
 * subpath (`medattn/metrics`, `medattn/io`, `medattn/data`, ...); libtorch loads only when a tensor is first used.
 */
export * from './tensor/index.js';
export * from './nn/index.js';
export * from './optim/index.js';
export * from './models/index.js';
export * as io from './data/io/index.js';
export * as transforms from './data/transforms/index.js';
export * as metrics from './metrics/index.js';
export type { MedicalImage, PixelArray } from './data/medical-image.js';
export {
  createDataset,
  datasetKinds,
  classCounts,
  classWeights,
  kFold,
  holdOut,
  type Dataset,
  type DatasetSpec,
} from './data/datasets/index.js';
export { Loader, type LoaderOptions, type Batch } from './data/loader/index.js';
export * from './train/index.js';
export * from './explain/index.js';
