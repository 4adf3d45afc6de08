// Model configs are checked before allocating: the parameter bound holds for every network in the catalog
// (never below the real count, at most 1.5x it), and bad sizes or a model over the ceiling are one-line errors.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { AttentionCNNConfig } from '../../src/models/attention-cnn.js';
import { createModel, modelNames, type ModelName } from '../../src/models/registry.js';
import { boundedModels, MAX_PARAMETERS, parameterBound } from '../../src/models/model-size.js';
import { UserError } from '../../src/user-error.js';

const variants: Record<string, Record<string, unknown>[]> = {
  attention_cnn: [{}, { inChannels: 3, stages: [{ channels: 8, attention: 'nonlocal', convs: 2, kernelSize: 5 }] }],
  resnet18: [{}, { smallInput: true, inChannels: 1, numClasses: 2 }],
  unet: [{}, { spatialDims: 3, features: [4, 8, 16] }],
  attention_unet: [{ deepSupervision: true, features: [8, 16, 32] }],
  sa_unet: [{}, { features: [8, 16, 32], spatialKernel: 3 }],
  vit: [{}, { imageSize: 32, patchSize: 4, dim: 48, numHeads: 4, depth: 2, mlpRatio: 2 }],
};

for (const name of modelNames.filter((n) => boundedModels.includes(n))) {
  for (const config of variants[name] ?? [{}]) {
    test(`parameter bound of ${name} ${JSON.stringify(config)} is an upper bound within 1.5x`, () => {
      const model = createModel(name as ModelName, config);
      const actual = model.numParameters();
      const bound = parameterBound(name, config);
      assert.ok(bound >= actual, `bound ${bound} < actual ${actual}`);
      assert.ok(bound <= 1.5 * actual, `bound ${bound} > 1.5 x actual ${actual}`);
    });
  }
}

test('the networks without a parameter bound are the table, ICU and fusion models (listed, so a new one is seen)', () => {
  assert.deepEqual(modelNames.filter((n) => !boundedModels.includes(n)).sort(), [
    'feature_attention',
    'ft_transformer',
    'fusion',
    'icu_rnn',
    'icu_transformer',
  ]);
});

test('bad sizes, kernels and attention names are one-line user errors naming the option', () => {
  const cases: [string, Record<string, unknown>, RegExp][] = [
    ['attention_cnn', { stages: null }, /option 'stages' must be a non-empty list of stages, got null/],
    ['attention_cnn', { stages: [null] }, /option 'stages\.0' must be an object with channels, got null/],
    [
      'attention_cnn',
      { stages: [{ channels: 1e12, attention: 'se' }] },
      /'stages\.0\.channels' must be a positive integer up to 65536, got 1000000000000/,
    ],
    ['attention_cnn', { numClasses: 0 }, /'numClasses' must be a positive integer/],
    ['unet', { features: [16, 2.5] }, /'features\.1' must be a positive integer/],
    ['vit', { mlpRatio: -1 }, /'mlpRatio' must be a number in \(0, 64\]/],
    ['resnet18', { dropout: 5 }, /'dropout' must be a probability/],
    [
      'attention_cnn',
      { stages: [{ channels: 4, attention: 'se', kernelSize: 2 }] },
      /'stages\.0\.kernelSize' must be an odd kernel size/,
    ],
    [
      'attention_cnn',
      { stages: [{ channels: 4, attention: 'bogus' }] },
      /option 'stages\.0\.attention': unknown attention 'bogus'/,
    ],
  ];
  for (const [name, config, message] of cases)
    assert.throws(
      () => createModel(name as ModelName, config),
      (e: Error) => e instanceof UserError && message.test(e.message) && !e.message.includes('\n'),
    );
});

test('a model over the parameter ceiling is refused before allocating', () => {
  // A 60,000 x 60,000 x 3 x 3 conv: 32 billion parameters (130 GB); the bound counts attention generously.
  const config: Partial<AttentionCNNConfig> = {
    stages: [
      { channels: 60000, attention: 'none' },
      { channels: 60000, attention: 'none' },
    ],
  };
  assert.ok(parameterBound('attention_cnn', config) > MAX_PARAMETERS);
  assert.throws(
    () => createModel('attention_cnn', config),
    /attention_cnn: option 'sizes' must be at most 1e9 parameters in all \(checked before allocating\), got 61200000000/,
  );
});
