/**
 * Checks that the parts of a valid config fit together, before the first step: options each valid alone can
 * still disagree (a segmentation loss on class labels, three class weights for two classes, a 3-channel model
 * on grey images, a batch larger than the training set). Without these the first forward pass fails inside
 * libtorch with an internal error, or an epoch trains nothing. Each is a one-line ConfigError naming the option.
 */
import type { TrainingConfig } from './config.js';
import { ConfigError } from './config-error.js';

/** Losses that take class indices (the targets of a classification task). */
const CLASSIFICATION_LOSSES = ['cross_entropy', 'focal'];
/** Losses whose class weights are one per class. */
const PER_CLASS_WEIGHTS = ['cross_entropy', 'focal', 'dice_ce'];

export interface RunShape {
  /** Samples in the training set. */
  trainSize: number;
  /** The model's `inChannels` and `numClasses` options, where it has them. */
  inChannels?: number;
  numClasses?: number;
  /** Field names of a validation sample after the eval transforms, and its image shape [C, ...spatial]. */
  sampleFields: string[];
  imageShape: number[];
}

export function checkRunFits(config: TrainingConfig, run: RunShape, file = 'config'): void {
  const fail = (option: string, reason: string): never => {
    throw new ConfigError(file, option, reason);
  };
  const { batchSize } = config.training;
  // Training batches drop the last partial batch: a batch larger than the set would train nothing.
  if (batchSize > run.trainSize)
    fail(
      'training.batchSize',
      `${batchSize} is larger than the training set (${run.trainSize} samples): no full batch to train on`,
    );
  const { swa, epochs } = config.training;
  if (swa && swa.epochs > epochs)
    fail('training.swa.epochs', `${swa.epochs} is more than the run's ${epochs} epochs: nothing to average that many`);
  const loss = config.loss.name;
  if (config.task === 'classification' && !CLASSIFICATION_LOSSES.includes(loss))
    fail('loss.name', `'${loss}' is a segmentation loss; classification takes ${CLASSIFICATION_LOSSES.join(' or ')}`);
  const target = config.task === 'classification' ? 'label' : config.task === 'detection' ? 'boxes' : 'mask';
  if (!run.sampleFields.includes(target))
    fail('task', `'${config.task}' needs samples with a '${target}'; the data gives ${run.sampleFields.join(', ')}`);
  const weights = config.loss.classWeights;
  if (Array.isArray(weights) && PER_CLASS_WEIGHTS.includes(loss) && run.numClasses !== undefined)
    if (weights.length !== run.numClasses)
      fail('loss.classWeights', `${weights.length} weights for a model of ${run.numClasses} classes`);
  const channels = run.imageShape[0];
  if (run.inChannels !== undefined && channels !== run.inChannels)
    fail(
      'model.config.inChannels',
      `${run.inChannels}, but the images have ${channels} channel${channels === 1 ? '' : 's'} (after transforms.eval)`,
    );
}
