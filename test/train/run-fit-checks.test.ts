// Options valid alone that do not fit together are one-line ConfigErrors before the first step (before this
// check each of them failed inside libtorch with exit 2, or trained nothing).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseConfig, type TrainingConfig } from '../../src/train/config.js';
import { checkRunFits, type RunShape } from '../../src/train/run-fit-checks.js';

const data = { train: { kind: 'medmnist', file: 'x.npz' }, val: { kind: 'medmnist', file: 'x.npz', split: 'val' } };
function config(overrides: Record<string, unknown> = {}): TrainingConfig {
  return parseConfig({ task: 'classification', data, model: { name: 'attention_cnn' }, ...overrides });
}
const fits: RunShape = {
  trainSize: 32,
  inChannels: 1,
  numClasses: 2,
  sampleFields: ['image', 'label'],
  imageShape: [1, 28, 28],
};

test('a config that fits its data and model passes', () => {
  assert.doesNotThrow(() => checkRunFits(config({ training: { batchSize: 32 } }), fits, 'c.json'));
  assert.doesNotThrow(() => checkRunFits(config({ loss: { name: 'focal', classWeights: [1, 3] } }), fits, 'c.json'));
});

const cases: [string, TrainingConfig, Partial<RunShape>, string][] = [
  [
    'a batch larger than the training set',
    config({ training: { batchSize: 33 } }),
    {},
    'c.json: training.batchSize: 33 is larger than the training set (32 samples): no full batch to train on',
  ],
  [
    'a segmentation loss on class labels',
    config({ loss: { name: 'dice' } }),
    {},
    "c.json: loss.name: 'dice' is a segmentation loss; classification takes cross_entropy or focal",
  ],
  [
    'segmentation of data without masks',
    config({ task: 'segmentation', loss: { name: 'dice' } }),
    {},
    "c.json: task: 'segmentation' needs samples with a 'mask'; the data gives image, label",
  ],
  [
    'three class weights for two classes',
    config({ loss: { classWeights: [1, 2, 3] } }),
    {},
    'c.json: loss.classWeights: 3 weights for a model of 2 classes',
  ],
  [
    'a 3-channel model on grey images',
    config(),
    { inChannels: 3 },
    'c.json: model.config.inChannels: 3, but the images have 1 channel (after transforms.eval)',
  ],
];

for (const [what, c, shape, message] of cases) {
  test(`${what} is refused in one line`, () => {
    assert.throws(() => checkRunFits(c, { ...fits, ...shape }, 'c.json'), { name: 'ConfigError', message });
  });
}
