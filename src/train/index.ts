/** `medattn/train`: configs, the trainer, losses, evaluation, prediction, model selection and the HTML report. */
export { loadConfig, parseConfig, type TrainingConfig } from './config.js';
export { ConfigError } from './config-error.js';
export { train, type TrainResult, type TrainEvent, type EpochRecord } from './trainer.js';
export { createLoss, focalLoss, softDiceLoss, type LossName } from './losses.js';
export { evaluateRun } from './evaluate-run.js';
export { predictFiles, type Prediction } from './predict.js';
export { loadRun } from './run-folder.js';
export { crossValidate, searchOptions } from './model-selection.js';
export { writeReport } from './report/report.js';
