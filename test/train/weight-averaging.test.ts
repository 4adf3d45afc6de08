// Stochastic weight averaging: the mean of parameter snapshots, and BatchNorm statistics recomputed as the plain
// mean over the batches of a pass (torch.optim.swa_utils.update_bn: each batch's mean and unbiased variance
// count once, whatever the batch's size).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { liveTensors, noGrad, randn, tensor, tidy } from '../../src/tensor/index.js';
import { BatchNorm2d, Linear, Sequential } from '../../src/nn/index.js';
import { recomputeBatchNorm, WeightAverage } from '../../src/train/weight-averaging.js';

const close = (a: ArrayLike<number>, b: number[], tol = 1e-6) =>
  b.forEach((v, i) => assert.ok(Math.abs(a[i] - v) <= tol * Math.max(1, Math.abs(v)), `[${i}] ${a[i]} vs ${v}`));

// First in the file: later tests leave garbage tensors whose finalizers would change the live count mid-test.
test('averaging over many epochs holds no more native tensors than one snapshot', async () => {
  const model = new Sequential(new Linear(4, 3), new BatchNorm2d(3));
  const average = new WeightAverage();
  average.update(model);
  const live = liveTensors();
  for (let i = 0; i < 200; i++) {
    average.update(model);
    if (i % 20 === 0) {
      average.copyTo(model);
      await recomputeBatchNorm(model, async () =>
        tidy(() => {
          noGrad(() => model.layers[1].forward(randn([2, 3, 2, 2])));
        }),
      );
      average.reset(); // the next update starts a new mean: the old tensors must go
    }
  }
  average.update(model);
  assert.equal(liveTensors(), live);
  average.dispose();
  assert.equal(liveTensors(), live - model.parameters().length);
});

test('the average of three snapshots is their arithmetic mean; copyTo leaves buffers alone', () => {
  const model = new Sequential(new Linear(2, 1), new BatchNorm2d(1));
  const [w, b] = model.parameters();
  const average = new WeightAverage();
  const snapshots = [
    [1, -2, 0.5],
    [4, 2, 1.5],
    [-2, 6, 4],
  ];
  for (const [w0, w1, b0] of snapshots) {
    noGrad(() => {
      w.copy_(tensor([[w0, w1]]));
      b.copy_(tensor([b0]));
    });
    average.update(model);
  }
  assert.equal(average.count, 3);
  const runningVar = model.stateDict().get('1.running_var')!;
  noGrad(() => runningVar.fill_(7));
  average.copyTo(model);
  close(w.toFloat32Array(), [1, 2]);
  close(b.toFloat32Array(), [2]);
  assert.equal(runningVar.item(), 7);

  // reset: the next snapshot starts a new mean
  average.reset();
  noGrad(() => w.copy_(tensor([[10, 20]])));
  average.update(model);
  assert.equal(average.count, 1);
  close(average.tensors().get('0.weight')!.toFloat32Array(), [10, 20]);
  average.dispose();
  assert.equal(average.tensors().size, 0);
});

test('a checkpointed mean loads back with its count', () => {
  const model = new Linear(3, 2);
  const a = new WeightAverage();
  a.update(model);
  const b = new WeightAverage();
  b.load(a.tensors(), a.count);
  assert.equal(b.count, 1);
  close(b.tensors().get('weight')!.toFloat32Array(), [...model.parameters()[0].toFloat32Array()]);
  a.dispose();
  b.dispose();
});

test('recomputeBatchNorm: running statistics are the per-batch means averaged, momentum restored', async () => {
  const bn = new BatchNorm2d(2);
  bn.train();
  // Three batches of different sizes, [N, 2, 1, 2]: channel c of sample n holds two values.
  const batches = [
    [
      [[[1, 3]], [[0, 0]]],
      [[[5, 7]], [[2, 4]]],
    ],
    [[[[10, 10]], [[-1, 1]]]],
    [
      [[[0, 2]], [[3, 3]]],
      [[[4, 6]], [[3, 3]]],
      [[[8, 4]], [[6, 0]]],
    ],
  ];
  // Each batch's channel mean and unbiased variance, by hand.
  const stats = (values: number[]) => {
    const m = values.reduce((s, v) => s + v, 0) / values.length;
    return [m, values.reduce((s, v) => s + (v - m) ** 2, 0) / (values.length - 1)];
  };
  const perBatch = batches.map((batch) => [0, 1].map((c) => stats(batch.flatMap((sample) => sample[c].flat()))));
  const expectedMean = [0, 1].map((c) => perBatch.reduce((s, b) => s + b[c][0], 0) / batches.length);
  const expectedVar = [0, 1].map((c) => perBatch.reduce((s, b) => s + b[c][1], 0) / batches.length);

  noGrad(() => bn.runningMean!.fill_(100)); // stale statistics of other weights
  await recomputeBatchNorm(bn, async () => {
    for (const batch of batches) tidy(() => noGrad(() => bn.forward(tensor(batch))));
  });
  close(bn.runningMean!.toFloat32Array(), expectedMean, 1e-5);
  close(bn.runningVar!.toFloat32Array(), expectedVar, 1e-5);
  assert.equal(Number(bn.numBatchesTracked!.item()), 3);
  assert.equal(bn.momentum, 0.1);
});
