// The Rényi-DP accountant against the values TensorFlow Privacy publishes in its own tests
// (github.com/tensorflow/privacy, tensorflow_privacy/privacy/analysis/rdp_accountant_test.py and
// compute_dp_sgd_privacy_test.py): the same subsampled-Gaussian RDP and the same RDP -> (epsilon, delta)
// conversion must give the same numbers.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  dpSgdPrivacy,
  epsilonFromRdp,
  noiseForEpsilon,
  privacySpent,
  sampledGaussianRdp,
} from '../../src/privacy/rdp-accountant.js';

const close = (actual: number, expected: number, tol: number, what: string) =>
  assert.ok(Math.abs(actual - expected) <= tol, `${what}: ${actual} vs ${expected} (tolerance ${tol})`);

test('RDP of the sampled Gaussian: rdp_accountant_test.py values', () => {
  // test_compute_rdp_scalar: compute_rdp(q=0.1, sigma=2, steps=10, order=5) = 0.07737 (5 places)
  close(sampledGaussianRdp(0.1, 2, 10, 5), 0.07737, 5e-6, 'q=0.1 sigma=2 T=10 alpha=5');
  // test_compute_rdp_sequence (the integer orders): q=0.01, sigma=2.5, 50 steps, delta 1e-5
  const expected: Record<number, number> = { 5: 0.00218075, 50: 0.023846, 100: 167.416307 };
  for (const [alpha, rdp] of Object.entries(expected))
    close(sampledGaussianRdp(0.01, 2.5, 50, Number(alpha)), rdp, 1e-5, `alpha=${alpha}`);
  // test_compute_rdp_no_sampling: q = 1 is the plain Gaussian, alpha / (2 sigma^2); q = 0 leaks nothing.
  assert.equal(sampledGaussianRdp(1, 10, 1, 20), 0.1);
  assert.equal(sampledGaussianRdp(0, 10, 1, 20), 0);
});

test('RDP -> (epsilon, delta): rdp_accountant_test.py test_get_privacy_spent_check_target_delta', () => {
  const orders = Array.from({ length: 31 }, (_, i) => i + 2);
  const spent = epsilonFromRdp(
    orders,
    orders.map(() => 1.1),
    1e-5,
  );
  close(spent.epsilon, 1.32783806176, 1e-9, 'constant RDP 1.1');
  assert.equal(spent.order, 32);
});

test('DP-SGD epsilon: compute_dp_sgd_privacy_test.py (n, batch, noise, epochs, delta) -> epsilon, order', () => {
  const a = dpSgdPrivacy(60000, 150, 1.3, 15, 1e-5);
  close(a.epsilon, 0.7242234026109595, 1e-9, 'Test0');
  assert.equal(a.order, 19);
  const b = dpSgdPrivacy(100000, 100, 1.0, 30, 1e-7);
  close(b.epsilon, 1.4154988495444842, 1e-9, 'Test1');
  assert.equal(b.order, 13);
});

test('noiseForEpsilon inverts the accountant; more steps or a larger q cost more epsilon', () => {
  const run = { samplingProbability: 150 / 60000, steps: 6000, delta: 1e-5 };
  const sigma = noiseForEpsilon(run, 0.7242234026109595);
  close(sigma, 1.3, 1.3e-3, 'noise multiplier of Test0');
  const base = privacySpent({ ...run, noiseMultiplier: 1.1 }).epsilon;
  assert.ok(privacySpent({ ...run, steps: 12000, noiseMultiplier: 1.1 }).epsilon > base);
  assert.ok(privacySpent({ ...run, samplingProbability: 0.01, noiseMultiplier: 1.1 }).epsilon > base);
  assert.throws(() => sampledGaussianRdp(1.5, 1, 1, 2), /sampling probability/);
});
