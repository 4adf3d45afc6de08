/**
 * `medattn/data`: datasets (specs and createDataset, class statistics, splits) and the batch loader. No libtorch:
 * importing it never loads the native addon. Readers are `medattn/io`, augmentation `medattn/transforms`.
 */
export type { MedicalImage, PixelArray } from './medical-image.js';
export * from './datasets/index.js';
export {
  Loader,
  BatchSampler,
  collate,
  LoaderError,
  type LoaderOptions,
  type LoaderStats,
  type BatchSamplerOptions,
  type Batch,
  type BatchField,
} from './loader/index.js';
