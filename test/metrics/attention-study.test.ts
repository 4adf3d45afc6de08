// The attention-study metrics: attention mass on a target (hand-computed) and the paired mean difference
// with a Student-t interval (scipy.stats reference).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { attentionMass, pairedDifference, studentTQuantile, MetricInputError } from '../../src/metrics/index.js';
import { pythonReference } from './python-reference.js';

test('attention mass: share of the map on target pixels inside the ROI, against prevalence (hand-computed)', () => {
  const shape = [2, 3];
  // map 1 2 3 / 4 0 2, target on (0,1) and (1,0), ROI excludes (1,2)
  const map = { data: [1, 2, 3, 4, 0, 2], shape };
  const target = { data: [0, 1, 0, 1, 0, 1], shape };
  const roi = { data: [1, 1, 1, 1, 1, 0], shape };
  const m = attentionMass(map, target, roi);
  // mass inside ROI 1+2+3+4+0 = 10, on target 2+4 = 6; prevalence 2/5
  assert.equal(m.fraction, 0.6);
  assert.equal(m.prevalence, 0.4);
  assert.ok(Math.abs(m.lift - 1.5) < 1e-12);
  // without ROI: mass 12, on target 2+4+2 = 8; prevalence 3/6
  const all = attentionMass(map, target);
  assert.ok(Math.abs(all.fraction - 8 / 12) < 1e-12);
  assert.equal(all.prevalence, 0.5);
  // a uniform map scores the prevalence (lift 1)
  assert.equal(attentionMass({ data: [5, 5, 5, 5, 5, 5], shape }, target, roi).lift, 1);
  assert.throws(() => attentionMass({ data: [1, -1, 0, 0, 0, 0], shape }, target), MetricInputError);
  assert.throws(() => attentionMass(map, target, { data: [0, 0, 0, 0, 0, 0], shape }), /ROI holds no pixel/);
  assert.throws(() => attentionMass(map, { data: [0, 1], shape: [2] }), /target shape/);
});

test('paired difference: mean, sample std and t interval as scipy computes them', () => {
  const a = [0.81, 0.83, 0.8, 0.845, 0.82];
  const b = [0.8, 0.805, 0.81, 0.82, 0.806];
  const ref = pythonReference(
    `
import json, sys, numpy as np
from scipy import stats
i = json.load(sys.stdin)
d = np.array(i["a"]) - np.array(i["b"])
lo, hi = stats.t.interval(0.95, len(d) - 1, loc=d.mean(), scale=stats.sem(d))
print(json.dumps({"mean": d.mean(), "std": d.std(ddof=1), "lo": lo, "hi": hi,
  "q": [stats.t.ppf(0.975, k) for k in (1, 2, 4, 9, 30)], "q90": stats.t.ppf(0.95, 3)}))
`,
    { a, b },
  );
  const r = pairedDifference(a, b);
  assert.equal(r.n, 5);
  assert.ok(Math.abs(r.mean - ref.mean) < 1e-12);
  assert.ok(Math.abs(r.std - ref.std) < 1e-12);
  assert.ok(Math.abs(r.ci[0] - ref.lo) < 1e-9 && Math.abs(r.ci[1] - ref.hi) < 1e-9, `${r.ci} vs ${ref.lo},${ref.hi}`);
  [1, 2, 4, 9, 30].forEach((df, i) => assert.ok(Math.abs(studentTQuantile(0.975, df) - ref.q[i]) < 1e-9));
  assert.ok(Math.abs(studentTQuantile(0.95, 3) - ref.q90) < 1e-9);
  assert.throws(() => pairedDifference([1, 2], [1]), /pairs must match/);
  assert.throws(() => pairedDifference([1], [1]), /at least 2/);
});
