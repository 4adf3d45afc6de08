// Networks: output shapes, attention maps, gradients to every parameter, config round-trips.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { F, manualSeed, noGrad, randn, tidy, type Tensor } from '../../src/tensor/index.js';
import {
  AttentionUNet,
  ResNet,
  UNet,
  ViT,
  createModel,
  modelCatalog,
  modelNames,
  ModelConfigError,
  UnknownModelError,
  type ModelConfigs,
  type ModelName,
} from '../../src/models/index.js';

manualSeed(0);

const tableColumns = [
  { name: 'age', type: 'numeric' as const },
  { name: 'sex', type: 'categorical' as const, categories: ['F', 'M'] },
  { name: 'glucose', type: 'numeric' as const },
];

/** Small configs so that the whole file runs in seconds; inputs [N, C, ...spatial] per case. */
const small: {
  [K in ModelName]: { config: Partial<ModelConfigs[K]>; inputs: number[][]; out: (x: number[]) => number[] };
} = {
  attention_cnn: {
    config: { inChannels: 3, numClasses: 4 },
    inputs: [
      [2, 3, 32, 32],
      [1, 3, 24, 40],
    ],
    out: (x) => [x[0], 4],
  },
  resnet18: {
    config: { inChannels: 1, numClasses: 3, smallInput: true, widths: [8, 16, 16, 32] },
    inputs: [
      [2, 1, 28, 28],
      [1, 1, 33, 20],
    ],
    out: (x) => [x[0], 3],
  },
  resnet34: {
    config: { inChannels: 3, numClasses: 5, widths: [8, 8, 16, 16] },
    inputs: [[2, 3, 64, 64]],
    out: (x) => [x[0], 5],
  },
  se_resnet18: {
    config: { inChannels: 1, numClasses: 2, smallInput: true, widths: [16, 16, 32, 32], reduction: 4 },
    inputs: [
      [2, 1, 32, 32],
      [1, 1, 48, 40],
    ],
    out: (x) => [x[0], 2],
  },
  se_resnet34: {
    config: { inChannels: 2, numClasses: 2, widths: [16, 16, 16, 32], reduction: 4 },
    inputs: [[1, 2, 64, 48]],
    out: (x) => [x[0], 2],
  },
  unet: {
    config: { inChannels: 2, numClasses: 3, features: [4, 8, 16] },
    inputs: [
      [2, 2, 32, 32],
      [1, 2, 20, 28],
    ],
    out: (x) => [x[0], 3, ...x.slice(2)],
  },
  attention_unet: {
    config: { inChannels: 1, numClasses: 2, features: [4, 8, 16, 16] },
    inputs: [
      [2, 1, 32, 32],
      [1, 1, 24, 40],
    ],
    out: (x) => [x[0], 2, ...x.slice(2)],
  },
  sa_unet: {
    config: { inChannels: 3, numClasses: 1, features: [4, 8, 16], dropBlockSize: 3 },
    inputs: [
      [2, 3, 32, 32],
      [1, 3, 24, 40],
    ],
    out: (x) => [x[0], 1, ...x.slice(2)],
  },
  centernet: {
    config: {
      inChannels: 1,
      numClasses: 2,
      headChannels: 8,
      stages: [
        { channels: 8, attention: 'se' },
        { channels: 8, attention: 'cbam' },
        { channels: 16, attention: 'scse' },
        { channels: 16, attention: 'nonlocal' },
      ],
    },
    inputs: [
      [2, 1, 32, 32],
      [1, 1, 64, 48],
    ],
    out: (x) => [x[0], 2 + 4, x[2] / 4, x[3] / 4],
  },
  vit: {
    config: { imageSize: 32, patchSize: 8, inChannels: 1, numClasses: 3, dim: 32, depth: 2, numHeads: 4 },
    inputs: [[2, 1, 32, 32]],
    out: (x) => [x[0], 3],
  },
  ft_transformer: {
    config: { columns: tableColumns, numClasses: 2, dim: 16, depth: 2, numHeads: 2 },
    inputs: [[3, 2, 3]],
    out: (x) => [x[0], 2],
  },
  feature_attention: {
    config: { columns: tableColumns, numClasses: 3, dim: 16 },
    inputs: [[3, 2, 3]],
    out: (x) => [x[0], 3],
  },
  // ICU models read the packed hourly grid [N, 3, hours + 1, variables] (src/data/icu/icu-grid.ts).
  icu_rnn: {
    config: { hidden: 16, variableDim: 4, variableHeads: 2 },
    inputs: [[2, 3, 13, 37]],
    out: (x) => [x[0], 2],
  },
  icu_transformer: { config: { dim: 16, depth: 1, heads: 2 }, inputs: [[2, 3, 7, 37]], out: (x) => [x[0], 2] },
  fusion: { config: { dim: 16, heads: 2, modalityDropout: 0 }, inputs: [[2, 3, 9, 37]], out: (x) => [x[0], 2] },
};

/** Attention that is not an image map: ICU hours x variables, hours, static features, modality weights. */
const sequenceMaps = /(^|\.)(hours_variables|hours|features|modalities)$/;

function checkMaps(name: string, x: Tensor, attention: Map<string, Tensor>, expectMaps: boolean): void {
  if (expectMaps) assert.ok(attention.size > 0, `${name}: no attention maps`);
  for (const [key, map] of attention) {
    if (key.endsWith('.spatial')) assert.deepEqual(map.shape, [x.size(0), 1, ...x.shape.slice(2)], `${name} ${key}`);
    else if (sequenceMaps.test(key)) assert.equal(map.size(0), x.size(0), `${name} ${key}`);
    else {
      assert.ok(key.endsWith('.channel'), key);
      assert.equal(map.ndim, 2);
      assert.equal(map.size(0), x.size(0));
    }
    assert.ok(map.min().item() >= 0 && map.max().item() <= 1 + 1e-6, `${name} ${key} in [0, 1]`);
  }
}

for (const name of modelNames) {
  test(`${name}: shapes, attention maps, gradients, JSON config round-trip`, () => {
    const spec = small[name] as { config: object; inputs: number[][]; out: (x: number[]) => number[] };
    tidy(() => {
      const model = createModel(name, spec.config as never);
      assert.equal(model.modelName, name);
      for (const shape of spec.inputs) {
        tidy(() => {
          const x = randn(shape);
          const { output, attention } = model.forwardWithAttention(x);
          assert.deepEqual(output.shape, spec.out(shape), `${name} output for input [${shape}]`);
          checkMaps(name, x, attention, !['resnet18', 'resnet34', 'unet'].includes(name));
          // the attention pass gives the same output as a plain forward
          model.eval();
          const a = noGrad(() => model.forward(x));
          const b = noGrad(() => model.forwardWithAttention(x).output);
          assert.equal(F.l1Loss(a, b, 'sum').item(), 0);
          model.train();
        });
      }
      // every parameter receives a gradient
      tidy(() => {
        model.zeroGrad();
        const out = model.forward(randn(spec.inputs[0]));
        out.square().mean().backward();
        for (const [p, t] of model.namedParameters()) assert.ok(t.grad, `${name}: ${p} has no gradient`);
      });
      // config -> JSON -> createModel rebuilds the architecture; with the state dict, the same outputs
      tidy(() => {
        const json = JSON.parse(JSON.stringify(model.toJSON())) as { model: ModelName; config: object };
        const copy = createModel(json.model, json.config as never);
        assert.deepEqual(copy.config, model.config);
        assert.deepEqual(
          [...copy.stateDict()].map(([k, v]) => `${k}:${v.shape}`),
          [...model.stateDict()].map(([k, v]) => `${k}:${v.shape}`),
        );
        copy.loadStateDict(model.stateDict());
        model.eval();
        copy.eval();
        const x = randn(spec.inputs[0]);
        const d = noGrad(() => F.l1Loss(copy.forward(x), model.forward(x), 'sum').item());
        assert.equal(d, 0);
        copy.dispose();
      });
      model.dispose();
    });
  });
}

test('U-Net and Attention U-Net in 3D, deep supervision', () => {
  tidy(() => {
    for (const Net of [UNet, AttentionUNet]) {
      const net = new Net({
        spatialDims: 3,
        inChannels: 1,
        numClasses: 2,
        features: [4, 8, 8],
        deepSupervision: true,
        norm: 'instance',
      });
      const x = randn([1, 1, 16, 12, 8]);
      const { output, auxiliary } = net.forwardDeepSupervision(x);
      assert.deepEqual(output.shape, [1, 2, 16, 12, 8]);
      assert.equal(auxiliary.length, 1);
      assert.deepEqual(auxiliary[0].shape, [1, 2, 16, 12, 8]);
      const { attention } = net.forwardWithAttention(x);
      assert.equal(attention.size, Net === AttentionUNet ? 2 : 0);
      for (const m of attention.values()) assert.deepEqual(m.shape, [1, 1, 16, 12, 8]);
      output.add(auxiliary[0]).square().mean().backward();
      for (const [p, t] of net.namedParameters()) assert.ok(t.grad, `${p} has no gradient`);
      net.dispose();
    }
  });
});

test('ViT attention: last-layer CLS attention and rollout, normalised to max 1 per image', () => {
  tidy(() => {
    const vit = new ViT({ imageSize: 32, patchSize: 4, dim: 24, depth: 3, numHeads: 2 });
    const { attention } = vit.forwardWithAttention(randn([2, 1, 32, 32]));
    assert.deepEqual([...attention.keys()], ['cls_attention.spatial', 'rollout.spatial']);
    for (const m of attention.values()) {
      assert.deepEqual(m.shape, [2, 1, 32, 32]);
      for (const v of m.max([1, 2, 3]).toFloat32Array()) assert.ok(v <= 1 + 1e-6 && v > 0.5);
    }
    assert.throws(() => vit.forward(randn([1, 1, 28, 28])), /expected 32x32/);
    vit.dispose();
  });
});

test('config errors name the option; unknown names are rejected', () => {
  assert.throws(
    () => new ResNet({ depth: 50 as never }),
    (e: Error) => e instanceof ModelConfigError && /'depth'/.test(e.message),
  );
  assert.throws(() => createModel('unet', { features: [8] }), /'features'/);
  assert.throws(() => createModel('vit', { imageSize: 30, patchSize: 8 }), /'imageSize'/);
  assert.throws(
    () => createModel('nope' as ModelName),
    (e: Error) => e instanceof UnknownModelError,
  );
  assert.throws(() => createModel('se_resnet18', { attention: 'bogus' as never }), /'attention'/);
});

test('catalog lists every network and block with parameter counts', () => {
  const c = modelCatalog();
  assert.deepEqual(
    c.models.map((m) => m.name),
    modelNames,
  );
  const byName = Object.fromEntries(c.models.map((m) => [m.name, m.parameters]));
  assert.equal(byName.resnet18, 11_689_512);
  assert.equal(byName.resnet34, 21_797_672);
  assert.ok(c.blocks.some((b) => b.name === 'eca' && b.parameters === 3));
  JSON.parse(JSON.stringify(c));
});
