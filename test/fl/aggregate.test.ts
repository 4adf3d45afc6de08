// FedAvg of model states: float tensors weighted by sample counts, integer counters take the largest; FedBN's
// local keys are exactly the batch-norm entries of the model.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { safetensorFromArray, safetensorToArray } from '../../src/tensor/safetensors.js';
import { batchNormKeys, fedAvg } from '../../src/fl/aggregate.js';
import { createModelFromConfig } from '../../src/train/trainer.js';

test('fedAvg weights float tensors by sample counts; integer counters take the largest', () => {
  const rec = (v: number[], n: bigint) => ({
    w: safetensorFromArray('F32', [v.length], new Float32Array(v)),
    n: safetensorFromArray('I64', [], new BigInt64Array([n])),
  });
  const avg = fedAvg([
    { site: 'a', samples: 1, tensors: rec([0, 4], 5n) },
    { site: 'b', samples: 3, tensors: rec([4, 0], 9n) },
  ]);
  assert.deepEqual(Array.from(safetensorToArray(avg.w) as Float32Array), [3, 1]);
  assert.deepEqual(Array.from(safetensorToArray(avg.n) as BigInt64Array), [9n]);
});

test('batchNormKeys: the batch-norm weights, biases and statistics, nothing else', () => {
  const model = createModelFromConfig('attention_cnn', {
    inChannels: 1,
    numClasses: 2,
    stages: [{ channels: 4, attention: 'se' }],
  });
  assert.deepEqual([...batchNormKeys(model)].sort(), [
    'stages.0.norms.0.bias',
    'stages.0.norms.0.num_batches_tracked',
    'stages.0.norms.0.running_mean',
    'stages.0.norms.0.running_var',
    'stages.0.norms.0.weight',
  ]);
});
