// DP-FedAvg: updates clipped to the norm bound, the noisy mean's noise has std noiseMultiplier * clip / m,
// and the epsilon of a federated run comes from the same accountant as DP-SGD (q = sampled / all clients).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  clipUpdate,
  dpFedAvg,
  dpFedAvgEpsilon,
  dpFedAvgStates,
  l2Norm,
  withValidVariances,
} from '../../src/fl/dp-fedavg.js';
import { safetensorFromArray, safetensorToArray, type SafetensorRecord } from '../../src/tensor/safetensors.js';
import { privacySpent } from '../../src/privacy/rdp-accountant.js';

test('clipUpdate scales long updates to the bound and leaves short ones', () => {
  const long = new Float32Array([3, 4]);
  assert.deepEqual(Array.from(clipUpdate(long, 1)), [0.6000000238418579, 0.800000011920929]);
  assert.deepEqual(Array.from(clipUpdate(new Float32Array([0.3, 0.4]), 1)), [0.30000001192092896, 0.4000000059604645]);
  assert.ok(Math.abs(l2Norm(clipUpdate(new Float32Array([30, -40, 0]), 2)) - 2) < 1e-6);
});

test('dpFedAvg: mean of clipped updates plus Gaussian noise of std z * C / m', () => {
  const n = 40_000;
  const updates = [0, 1, 2].map(() => new Float32Array(n));
  const out = dpFedAvg(updates, 0.5, 2);
  let s = 0;
  let ss = 0;
  for (const v of out) {
    s += v;
    ss += v * v;
  }
  const mean = s / n;
  const std = Math.sqrt(ss / n - mean * mean);
  const expected = (2 * 0.5) / 3;
  assert.ok(Math.abs(std - expected) < 0.02 * expected, `std ${std} vs ${expected}`);
  // No noise: the plain mean of clipped updates.
  const a = new Float32Array([3, 4]);
  const b = new Float32Array([0.1, 0]);
  assert.deepEqual(
    Array.from(dpFedAvg([a, b], 1, 0)).map((v) => +v.toFixed(6)),
    [0.35, 0.4],
  );
});

test('dpFedAvgEpsilon: accountant with q = sampled / all clients, one step per round', () => {
  assert.equal(
    dpFedAvgEpsilon(100, 10, 1.0, 50, 1e-5),
    privacySpent({ samplingProbability: 0.1, noiseMultiplier: 1.0, steps: 50, delta: 1e-5 }).epsilon,
  );
  // Three sites all taking part every round: no amplification by sampling.
  assert.ok(dpFedAvgEpsilon(3, 3, 1.0, 20) > dpFedAvgEpsilon(30, 3, 1.0, 20));
});

test('dpFedAvgStates: global + mean of clipped site updates (no noise); integer tensors keep the global value', () => {
  const state = (w: number[], n: bigint) => ({
    w: safetensorFromArray('F32', [2], new Float32Array(w)),
    n: safetensorFromArray('I64', [], new BigInt64Array([n])),
  });
  const global = state([1, 1], 3n);
  // Updates (3, 4) -> clipped to (0.6, 0.8) and (0.1, 0) kept: mean (0.35, 0.4).
  const next = dpFedAvgStates(global, [state([4, 5], 9n), state([1.1, 1], 7n)], 1, 0);
  assert.deepEqual(
    Array.from(safetensorToArray(next.w as never) as Float32Array).map((v) => +v.toFixed(5)),
    [1.35, 1.4],
  );
  assert.deepEqual(Array.from(safetensorToArray(next.n as never) as BigInt64Array), [3n]);
});

test('DP-FedAvg: noisy batch-norm running variances are clamped at 0 (post-processing), other entries untouched', () => {
  const state = {
    'bn.running_var': safetensorFromArray('F32', [3], new Float32Array([-0.5, 0, 0.25])),
    'bn.running_mean': safetensorFromArray('F32', [2], new Float32Array([-0.5, 0.5])),
  };
  const out = withValidVariances(state);
  assert.deepEqual(
    Array.from(safetensorToArray(out['bn.running_var'] as SafetensorRecord & { dtype: 'F32' })),
    [0, 0, 0.25],
  );
  assert.equal(out['bn.running_mean'], state['bn.running_mean']);
});
