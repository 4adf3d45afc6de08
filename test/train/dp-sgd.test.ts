// DP-SGD step: per-example clipping checked against hand-computed per-example gradients of a linear
// least-squares model (grad_i = 2 (x_i . w - y_i) x_i), no-clip/no-noise equal to a plain SGD step, and the
// noise's standard deviation noiseMultiplier * clipNorm / batch measured on many parameters. Then `train`
// with training.dp through the CLI records the accountant's epsilon per epoch in metrics.json.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { manualSeed, tensor, zeros, type Tensor } from '../../src/tensor/index.js';
import { SGD } from '../../src/optim/index.js';
import { dpSgdEpsilon, dpSgdGradients } from '../../src/train/dp-sgd.js';
import { writeTinyMedmnist } from '../helpers/tiny-medmnist.js';

const X = [
  [1, 2, 0],
  [0.5, -1, 3],
  [2, 2, 2],
  [-1, 0, 1],
];
const Y = [1, -2, 10, 0.5];
const W0 = [0.1, -0.2, 0.3];

function leastSquares(x: Tensor, y: Tensor, w: Tensor): Tensor {
  return x.matmul(w).sub(y).square().mean();
}

function step(clipNorm: number, noiseMultiplier: number): number[] {
  const w = tensor(new Float32Array(W0), { shape: [3] }).requiresGrad_();
  const opt = new SGD([w], { lr: 1 });
  const x = tensor(new Float32Array(X.flat()), { shape: [4, 3] });
  const y = tensor(new Float32Array(Y), { shape: [4] });
  dpSgdGradients([w], opt, (xi, yi) => leastSquares(xi, yi, w), { x, y }, { clipNorm, noiseMultiplier, delta: 1e-5 });
  opt.step();
  return Array.from(w.toArray() as Float32Array);
}

test('DP-SGD step: per-example gradients clipped to clipNorm, averaged (hand-computed reference)', () => {
  const clip = 5;
  const expected = [...W0];
  for (let i = 0; i < 4; i++) {
    const r = X[i].reduce((s, v, k) => s + v * W0[k], 0) - Y[i];
    const g = X[i].map((v) => 2 * r * v);
    const norm = Math.hypot(...g);
    const scale = Math.min(1, clip / (norm + 1e-6));
    g.forEach((v, k) => (expected[k] -= (v * scale) / 4));
  }
  const got = step(clip, 0);
  got.forEach((v, k) => assert.ok(Math.abs(v - expected[k]) < 1e-5, `w[${k}] ${v} vs ${expected[k]}`));
  // Without clipping (huge clipNorm) and noise, DP-SGD is plain SGD on the batch mean.
  const plain = [...W0];
  for (let i = 0; i < 4; i++) {
    const r = X[i].reduce((s, v, k) => s + v * W0[k], 0) - Y[i];
    X[i].forEach((v, k) => (plain[k] -= (2 * r * v) / 4));
  }
  step(1e9, 0).forEach((v, k) => assert.ok(Math.abs(v - plain[k]) < 1e-4, `w[${k}] ${v} vs ${plain[k]}`));
});

test('DP-SGD step: noise std is noiseMultiplier * clipNorm / batch', () => {
  manualSeed(3);
  const p = zeros([20000]).requiresGrad_();
  const opt = new SGD([p], { lr: 1 });
  const x = zeros([8, 1]);
  // A loss with zero gradient: the update is the noise alone.
  dpSgdGradients(
    [p],
    opt,
    (xi) => p.sum().mul(0).add(xi.sum()),
    { x, y: x },
    { clipNorm: 2, noiseMultiplier: 1.5, delta: 1e-5 },
  );
  opt.step();
  const v = Array.from(p.toArray() as Float32Array);
  const mean = v.reduce((s, a) => s + a, 0) / v.length;
  const std = Math.sqrt(v.reduce((s, a) => s + (a - mean) ** 2, 0) / v.length);
  const expected = (1.5 * 2) / 8;
  assert.ok(Math.abs(std - expected) < 0.02 * expected, `std ${std} vs ${expected}`);
  assert.ok(Math.abs(mean) < 0.01, `mean ${mean}`);
});

test('train with training.dp: metrics.json has the accountant epsilon of each epoch', () => {
  const dir = mkdtempSync(join(tmpdir(), 'medattn-dpsgd-'));
  try {
    const npz = join(dir, 'tiny.npz');
    writeTinyMedmnist(npz, { train: { n: 64 }, val: { n: 16 } }, 16);
    const dp = { noiseMultiplier: 1.1, clipNorm: 1, delta: 1e-5 };
    const config = {
      task: 'classification',
      data: {
        train: { kind: 'medmnist', file: npz, split: 'train' },
        val: { kind: 'medmnist', file: npz, split: 'val' },
      },
      transforms: { train: [{ type: 'toFloat', scale: 1 / 255 }], eval: [{ type: 'toFloat', scale: 1 / 255 }] },
      model: {
        name: 'attention_cnn',
        config: { inChannels: 1, numClasses: 2, stages: [{ channels: 4, attention: 'se' }] },
      },
      optimizer: { name: 'sgd', lr: 0.05 },
      training: { epochs: 2, batchSize: 16, workers: 0, seed: 1, dp },
      report: { samples: 0 },
    };
    writeFileSync(join(dir, 'config.json'), JSON.stringify(config));
    const run = spawnSync(
      process.execPath,
      ['bin/medattn.js', 'train', '--config', join(dir, 'config.json'), '--out', join(dir, 'run')],
      {
        encoding: 'utf8',
        env: { ...process.env, MEDATTN_THREADS: '1' },
      },
    );
    assert.equal(run.status, 0, run.stderr);
    const metrics = JSON.parse(readFileSync(join(dir, 'run/metrics.json'), 'utf8'));
    const eps = metrics.history.map((r: { epsilon: number }) => r.epsilon);
    assert.deepEqual(eps, [dpSgdEpsilon(dp, 16, 64, 4), dpSgdEpsilon(dp, 16, 64, 8)]);
    assert.ok(eps[1] > eps[0] && eps[0] > 0);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
