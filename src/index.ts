/**
 * medattn's public API. Layers (see README): tensor -> nn -> models -> data -> train/metrics/explain.
 * Areas whose names would collide are namespaced: `transforms`, `io`, `metrics`.
 */
export * from './tensor/index.js';
export * from './nn/index.js';
export * from './optim/index.js';
export * from './models/index.js';
export * as io from './data/io/index.js';
export * as transforms from './data/transforms/index.js';
export * as metrics from './metrics/index.js';
export type { MedicalImage, PixelArray } from './data/medical-image.js';
export { createDataset, datasetKinds, classCounts, classWeights, kFold, holdOut, type Dataset, type DatasetSpec } from './data/datasets/index.js';
export { Loader, type LoaderOptions, type Batch } from './data/loader/index.js';
export { loadConfig, parseConfig, type TrainingConfig } from './train/config.js';
export { ConfigError } from './train/config-error.js';
export { train, type TrainResult, type TrainEvent, type EpochRecord } from './train/trainer.js';
export { createLoss, focalLoss, softDiceLoss, type LossName } from './train/losses.js';
export { evaluateRun } from './train/evaluate-run.js';
export { predictFiles, type Prediction } from './train/predict.js';
export { loadRun } from './train/run-folder.js';
export { crossValidate, searchOptions } from './train/model-selection.js';
export { writeReport } from './train/report/report.js';
export * from './explain/index.js';
