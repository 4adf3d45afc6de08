// ICU models' attention (hours x variables) and the fusion model: modality weights, a missing modality, and
// the image + table path on a small generated fixture (a MECHANICAL test: it shows the wiring trains and
// reports weights, not that images and tables fuse well).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cat, F, manualSeed, noGrad, rand, randn, tensor, tidy, zeros } from '../../src/tensor/index.js';
import { FusionModel, IcuRnn, IcuTransformer, fusionDefaults, icuRnnDefaults } from '../../src/models/index.js';
import { Adam } from '../../src/optim/index.js';

manualSeed(1);
const N = 3;
const H = 6;
const V = 37;

/** A packed grid [N, 3, H + 1, V] with random values, ~30 % observed cells, and given static masks. */
function grid(staticMask: number[][]) {
  const values = randn([N, 1, H, V]);
  const mask = rand([N, 1, H, V]).lt(0.3).float();
  const delta = rand([N, 1, H, V]);
  const series = cat([values, mask, delta], 1);
  const staticRow = zeros([N, 3, 1, V]);
  const s = randn([N, 8]);
  const m = tensor(Float32Array.from(staticMask.flat()), { shape: [N, 8] });
  const row = cat([F.pad(s, [0, V - 8]).unsqueeze(1), F.pad(m, [0, V - 8]).unsqueeze(1), zeros([N, 1, V])], 1);
  return { x: cat([series, staticRow.add(row.unsqueeze(2))], 2), mask };
}

test('icu_rnn and icu_transformer: attention over hours x variables sums to 1 per patient; the transformer puts none on unobserved cells', () => {
  tidy(() => {
    const { x, mask } = grid([
      [1, 1, 1, 1, 1, 1, 1, 1],
      [1, 1, 1, 1, 1, 1, 1, 1],
      [1, 1, 1, 1, 1, 1, 1, 1],
    ]);
    for (const model of [
      new IcuRnn({ ...icuRnnDefaults, hidden: 8, variableDim: 4, variableHeads: 2 }),
      new IcuTransformer({
        numVariables: V,
        numStatics: 8,
        numClasses: 2,
        dim: 16,
        depth: 2,
        heads: 2,
        dropout: 0,
        maxTokens: 512,
      }),
    ]) {
      model.eval();
      const { attention } = noGrad(() => model.forwardWithAttention(x));
      const map = attention.get('hours_variables')!;
      assert.deepEqual(map.shape, [N, H, V]);
      for (const s of map.sum([1, 2]).toFloat32Array())
        assert.ok(Math.abs(s - 1) < 1e-5, `${model.modelName}: sums to ${s}`);
      assert.ok(F.l1Loss(map.sum(2), attention.get('hours')!, 'sum').item() < 1e-5);
      if (model instanceof IcuTransformer) assert.equal(map.mul(mask.squeeze(1).rsub(1)).sum().item(), 0);
    }
  });
});

test('fusion: per-patient modality weights; a patient without static descriptors gets weight 0 there and its static values do not matter', () => {
  tidy(() => {
    const model = new FusionModel({ ...fusionDefaults, dim: 16, heads: 2, modalityDropout: 0, dropout: 0 });
    model.eval();
    const { x } = grid([
      [1, 1, 1, 1, 1, 1, 1, 1],
      [0, 0, 0, 0, 0, 0, 0, 0],
      [1, 0, 1, 0, 1, 1, 1, 1],
    ]);
    const { output, attention } = noGrad(() => model.forwardWithAttention(x));
    const w = attention.get('modalities')!;
    assert.deepEqual(w.shape, [N, 2]);
    const weights = w.toFloat32Array();
    assert.equal(weights[1 * 2 + 1], 0, 'patient 1 has no static modality');
    for (const v of weights) assert.ok(v >= 0 && v <= 1);
    assert.ok(weights[0 * 2 + 1] > 0 && weights[1 * 2 + 0] > 0);
    assert.deepEqual(attention.get('static.features')!.shape, [N, 8]);
    // change every patient's static values: patient 1's (all marked missing) output does not move
    const changed = x.clone();
    changed.narrow(1, 0, 1).narrow(2, H, 1).fill_(3);
    const again = noGrad(() => model.forward(changed));
    const d = again.sub(output).abs().sum(1).toFloat32Array();
    assert.ok(d[1] < 1e-6, `patient 1 moved by ${d[1]}`);
    assert.ok(d[0] > 1e-6, 'patient 0 has static descriptors: its output moves');
  });
});

test('fusion image + table (MECHANICAL, generated fixture): trains, reports modality weights, runs with the image missing', () => {
  tidy(() => {
    manualSeed(3);
    const n = 32;
    // label 1: a bright square in the image and a higher first table feature; the second feature is missing half the time
    const y = Int32Array.from({ length: n }, (_, i) => i % 2);
    const img = new Float32Array(n * 16 * 16);
    const tab = new Float32Array(n * 2 * 3);
    for (let i = 0; i < n; i++) {
      for (let p = 0; p < 256; p++)
        img[i * 256 + p] =
          Math.sin(i * 31 + p) * 0.3 + (y[i] && p % 16 > 4 && p % 16 < 10 && p >> 4 > 4 && p >> 4 < 10 ? 1 : 0);
      tab[i * 6 + 0] = y[i] ? 1 : -1;
      tab[i * 6 + 1] = Math.cos(i);
      tab[i * 6 + 2] = 0.5;
      tab[i * 6 + 4] = i % 4 < 2 ? 1 : 0; // feature 1 missing
    }
    const inputs = { image: tensor(img, { shape: [n, 1, 16, 16] }), table: tensor(tab, { shape: [n, 2, 3] }) };
    const target = tensor(y).to('int64');
    const model = new FusionModel({
      ...fusionDefaults,
      inputs: [
        { name: 'image', encoder: 'image', config: { inChannels: 1, dim: 8 } },
        { name: 'table', encoder: 'table', config: { numFeatures: 3, dim: 8, heads: 2 } },
      ],
      dim: 8,
      heads: 2,
    });
    const opt = new Adam(model.parameters(), { lr: 0.01 });
    const losses: number[] = [];
    for (let step = 0; step < 30; step++) {
      losses.push(
        tidy(() => {
          opt.zeroGrad();
          const l = F.crossEntropy(model.forwardInputs(inputs).output, target);
          l.backward();
          opt.step();
          return l.item();
        }),
      );
    }
    assert.ok(losses[29] < losses[0] * 0.5, `loss ${losses[0]} -> ${losses[29]}`);
    model.eval();
    const { attention } = noGrad(() => model.forwardInputs(inputs));
    assert.deepEqual(attention.get('modalities')!.shape, [n, 2]);
    assert.deepEqual(attention.get('table.features')!.shape, [n, 3]);
    const noImage = noGrad(() => model.forwardInputs({ image: undefined, table: inputs.table }));
    const w = noImage.attention.get('modalities')!;
    assert.equal(w.narrow(1, 0, 1).abs().sum().item(), 0, 'missing image: weight 0');
    assert.ok(Number.isFinite(noImage.output.sum().item()));
  });
});
