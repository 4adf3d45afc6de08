// The icu_summary fusion encoder: its per-variable summaries equal hand-computed values on a hand-made grid
// (including a never-observed variable and one whose values are all negative), gradients reach every
// parameter and stay finite, and its embedding, weights over variables and modality weight have the right
// shapes and sums (a patient with no observation at all gets modality weight 0).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cat, F, manualSeed, noGrad, randn, tensor, tidy, zeros } from '../../src/tensor/index.js';
import { FusionModel, fusionDefaults } from '../../src/models/index.js';
import { ICU_SUMMARY_FEATURES, icuSummaryFeatures } from '../../src/models/fusion/icu-summary-features.js';

const H = 4;
// 4 variables over 4 hours, as icu-grid.ts writes them (values carried forward, 0 before the first
// observation; delta = hours since the last observation / H, counted from admission before the first):
//   v0 observed at hour 1 (2.0) and hour 3 (-1.0); v1 at hour 0 only (0.5); v2 never; v3 at hours 2 (-3) and 3 (-2)
const values = [
  [0, 0.5, 0, 0],
  [2, 0.5, 0, 0],
  [2, 0.5, 0, -3],
  [-1, 0.5, 0, -2],
];
const mask = [
  [0, 1, 0, 0],
  [1, 0, 0, 0],
  [0, 0, 0, 1],
  [1, 0, 0, 1],
];
const delta = [
  [1, 0, 1, 3],
  [0, 1, 2, 4],
  [1, 2, 3, 0],
  [0, 3, 4, 0],
].map((row) => row.map((h) => h / H));
const planes = (rows: number[][]) => tensor(Float32Array.from(rows.flat()), { shape: [1, H, 4] });

test('icu_summary: the summaries of a hand-made grid equal hand-computed values; a never-observed variable gives 0s, since_last 1', () => {
  tidy(() => {
    const s = icuSummaryFeatures(planes(values), planes(mask), planes(delta));
    assert.deepEqual(s.shape, [1, 4, ICU_SUMMARY_FEATURES.length]);
    assert.deepEqual(ICU_SUMMARY_FEATURES, [
      'last',
      'first',
      'mean',
      'min',
      'max',
      'log_count',
      'since_last',
      'observed',
    ]);
    const expected = [
      [-1, 2, 0.5, -1, 2, Math.log(3), 0, 1],
      [0.5, 0.5, 0.5, 0.5, 0.5, Math.log(2), 0.75, 1],
      [0, 0, 0, 0, 0, 0, 1, 0],
      [-2, -3, -2.5, -3, -2, Math.log(3), 0, 1],
    ];
    const got = s.toFloat32Array();
    expected.flat().forEach((e, i) => {
      const [v, f] = [Math.floor(i / 8), ICU_SUMMARY_FEATURES[i % 8]];
      assert.ok(Math.abs(got[i] - e) < 1e-6, `variable ${v} ${f}: ${got[i]}, expected ${e}`);
    });
  });
});

/** A packed grid [N, 3, H + 1, V] from the hand-made planes (patient 0), random ones, and an empty patient. */
function packed(v: number) {
  const pad = (rows: number[][]) => F.pad(planes(rows), [0, v - 4]);
  const random = () => {
    const m = randn([1, H, v]).gt(0.3).float();
    return [randn([1, H, v]).mul(m), m, randn([1, H, v]).abs().clamp(0, 1)];
  };
  const r = random();
  const patients = [
    [pad(values), pad(mask), pad(delta)],
    r,
    [zeros([1, H, v]), zeros([1, H, v]), zeros([1, H, v]).add(1)], // no observation at all
  ].map((p) =>
    cat(
      p.map((t) => t.unsqueeze(1)),
      1,
    ),
  ); // [1, 3, H, V]
  const statics = zeros([3, 3, 1, v]);
  statics.narrow(1, 1, 1).narrow(3, 0, 8).fill_(1); // every static descriptor recorded
  return cat([cat(patients, 0), statics], 2);
}

test('icu_summary in fusion: gradients reach every parameter and the input, finite; shapes and weight sums; an empty patient gets summary weight 0', () => {
  tidy(() => {
    manualSeed(2);
    const V = 37;
    const model = new FusionModel({
      ...fusionDefaults,
      inputs: [
        { name: 'summary', encoder: 'icu_summary', config: { dim: 16, depth: 2, heads: 2 } },
        { name: 'static', encoder: 'icu_static', config: { dim: 8, heads: 2 } },
      ],
      dim: 16,
      heads: 2,
      modalityDropout: 0,
    });
    const x = packed(V).requiresGrad_();
    const loss = F.crossEntropy(model.forward(x), tensor(Int32Array.of(1, 0, 1)).to('int64'));
    loss.backward();
    for (const [p, t] of model.namedParameters()) {
      if (!p.startsWith('encoders.0.')) continue;
      assert.ok(t.grad, `${p} has no gradient`);
      const g = t.grad.abs().sum().item();
      assert.ok(Number.isFinite(g) && g > 0, `${p}: gradient magnitude ${g}`);
    }
    const gx = x.grad!.abs().sum().item();
    assert.ok(Number.isFinite(gx) && gx > 0, `input gradient ${gx}`);

    model.eval();
    const { output, attention } = noGrad(() => model.forwardWithAttention(x.detach()));
    assert.deepEqual(output.shape, [3, 2]);
    const w = attention.get('summary.variables')!;
    assert.deepEqual(w.shape, [3, V]);
    for (const s of w.sum(1).toFloat32Array()) assert.ok(Math.abs(s - 1) < 1e-5, `weights sum to ${s}`);
    const modalities = attention.get('modalities')!.toFloat32Array();
    assert.equal(modalities[2 * 2 + 0], 0, 'patient 2 has no observation: summary weight 0');
    assert.ok(modalities[0] > 0 && modalities[2] > 0);
    const e = model.encoders.items[0].forward(x.detach());
    assert.deepEqual(e.embedding.shape, [3, 16]);
    assert.deepEqual([...e.present.toFloat32Array()], [1, 1, 0]);
  });
});
