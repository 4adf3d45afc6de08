// exportModel on randomly initialised networks (every weight and BatchNorm statistic perturbed) and
// generated inputs: ONNX Runtime's logits, probabilities and every attention map equal libtorch's eval outputs
// within 1e-4, the graph has the declared dynamic axes, and ONNX's full checker accepts the file.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { decodeModel, exportModel } from '../../src/export/index.js';
import { createModel, type AttentionModel, type CenterNet } from '../../src/models/index.js';
import { Module } from '../../src/nn/index.js';
import { manualSeed, noGrad, randn, tidy, type Tensor } from '../../src/tensor/index.js';
import { maxAbsDiff, onnxCheck, ortOutputs, randomizeState, torchOutputs } from './onnx-reference.js';

const dir = mkdtempSync(join(tmpdir(), 'medattn-export-'));
after(() => rmSync(dir, { recursive: true, force: true }));

function softmaxRows(logits: Float32Array, k: number): Float32Array {
  const out = new Float32Array(logits.length);
  for (let r = 0; r < logits.length / k; r++) {
    const row = logits.subarray(r * k, r * k + k);
    const m = Math.max(...row);
    let s = 0;
    for (let j = 0; j < k; j++) s += out[r * k + j] = Math.exp(row[j] - m);
    for (let j = 0; j < k; j++) out[r * k + j] /= s;
  }
  return out;
}

/** Exports, checks, runs both engines on `shapes` and returns the worst difference per output name. */
async function parity(model: AttentionModel, file: string, shapes: number[][], inputShape?: number[]) {
  const exported = exportModel(model, { inputShape });
  const path = join(dir, file);
  writeFileSync(path, exported.bytes);
  assert.equal(onnxCheck(path), '', 'onnx.checker full_check');
  const worst = new Map<string, number>();
  for (const shape of shapes) {
    const x = randn(shape);
    const data = x.toFloat32Array();
    const reference = torchOutputs(model, x);
    x.dispose();
    const got = await ortOutputs(exported.bytes, data, shape);
    const logits = reference.get('logits')!;
    if (exported.task === 'classification')
      reference.set('probabilities', softmaxRows(logits, logits.length / shape[0]));
    for (const [name, want] of reference) {
      const have = got.get(name);
      assert.ok(have, `ONNX output '${name}' missing (has ${[...got.keys()].join(', ')})`);
      worst.set(name, Math.max(worst.get(name) ?? 0, maxAbsDiff(have, want)));
    }
    assert.deepEqual(
      [...got.keys()].filter((k) => !reference.has(k) && k !== 'probability').sort(),
      [],
      'every ONNX output has a libtorch counterpart',
    );
  }
  return { exported, worst };
}

describe('exportModel: ONNX Runtime equals libtorch eval (random weights, generated inputs)', () => {
  test('attention CNN (SE, CBAM spatial, non-local): logits, probabilities, 3 maps within 1e-4', async () => {
    manualSeed(1);
    const model = createModel('attention_cnn', {});
    randomizeState(model);
    const { exported, worst } = await parity(
      model,
      'cnn.onnx',
      [
        [1, 1, 28, 28],
        [3, 1, 28, 28],
      ],
      [1, 28, 28],
    );
    assert.deepEqual(exported.input.dims, ['batch', 1, 28, 28]);
    assert.deepEqual(
      exported.outputs.map((o) => o.name),
      [
        'logits',
        'probabilities',
        'attention/stages.0.attention.channel',
        'attention/stages.1.attention.spatial',
        'attention/stages.2.attention.spatial',
      ],
    );
    assert.deepEqual(exported.outputs[2].dims, ['batch', 32]);
    for (const [name, d] of worst) assert.ok(d < 1e-4, `${name}: max abs diff ${d}`);
    // the non-local gamma (randomised to [0.5, 1.5)) is folded into its output convolution: no Mul by it
    const graph = decodeModel(exported.bytes).graph;
    assert.ok(!graph.initializer.some((t) => t.name.endsWith('.gamma')));
    assert.deepEqual(
      graph.node
        .filter((n) => n.name.startsWith('stages.2.attention/'))
        .map((n) => n.op_type)
        .filter((op) => op === 'Mul'),
      [],
    );
    console.log('attention_cnn max abs diff', Object.fromEntries(worst));
  });

  test('attention CNN with CBAM, ECA and scSE stages (one without pooling)', async () => {
    manualSeed(2);
    const model = createModel('attention_cnn', {
      inChannels: 3,
      numClasses: 4,
      stages: [
        { channels: 16, attention: 'cbam', convs: 2 },
        { channels: 24, attention: 'eca', pool: false },
        { channels: 32, attention: 'scse' },
      ],
    });
    randomizeState(model);
    const { worst } = await parity(model, 'cnn2.onnx', [[2, 3, 32, 32]], [3, 32, 32]);
    assert.deepEqual([...worst.keys()].sort(), [
      'attention/stages.0.attention.channel_gate.channel',
      'attention/stages.0.attention.spatial_gate.spatial',
      'attention/stages.1.attention.channel',
      'attention/stages.2.attention.channel',
      'attention/stages.2.attention.spatial',
      'logits',
      'probabilities',
    ]);
    for (const [name, d] of worst) assert.ok(d < 1e-4, `${name}: max abs diff ${d}`);
  });

  test('SE-ResNet-18 (narrow widths, ImageNet stem): 8 SE maps within 1e-4', async () => {
    manualSeed(3);
    const model = createModel('se_resnet18', { inChannels: 3, numClasses: 3, widths: [8, 16, 16, 32], reduction: 4 });
    randomizeState(model);
    const { worst } = await parity(model, 'seresnet.onnx', [[2, 3, 64, 64]], [3, 64, 64]);
    assert.equal([...worst.keys()].filter((k) => k.startsWith('attention/')).length, 8);
    for (const [name, d] of worst) assert.ok(d < 1e-4, `${name}: max abs diff ${d}`);
  });

  test('Attention U-Net: probability map and 3 gate maps within 1e-4 at two input sizes (dynamic H/W)', async () => {
    manualSeed(4);
    const model = createModel('attention_unet', { inChannels: 1, numClasses: 1, features: [8, 16, 32, 64] });
    randomizeState(model);
    const { exported, worst } = await parity(model, 'attunet.onnx', [
      [2, 1, 48, 40],
      [1, 1, 64, 96],
    ]);
    assert.deepEqual(exported.input.dims, ['batch', 1, 'height', 'width']);
    assert.deepEqual(exported.outputs.map((o) => o.name).slice(0, 2), ['logits', 'probability']);
    assert.equal([...worst.keys()].filter((k) => k.startsWith('attention/decoder.')).length, 3);
    for (const [name, d] of worst) assert.ok(d < 1e-4, `${name}: max abs diff ${d}`);
  });

  test('SA-UNet: probability and the bottleneck spatial-attention map within 1e-4 (DropBlock is identity in eval)', async () => {
    manualSeed(9);
    const model = createModel('sa_unet', { features: [8, 16, 32, 64] });
    randomizeState(model);
    const { worst } = await parity(model, 'saunet.onnx', [
      [2, 3, 48, 40],
      [1, 3, 64, 96],
    ]);
    assert.deepEqual(
      [...worst.keys()].filter((k) => k.startsWith('attention/')),
      ['attention/bottleneck_attention.spatial'],
    );
    for (const [name, d] of worst) assert.ok(d < 1e-4, `${name}: max abs diff ${d}`);
  });

  test('U-Net with instance norm and 2 classes: logits within 1e-4; probability = softmax channel 1', async () => {
    manualSeed(5);
    const model = createModel('unet', { inChannels: 2, numClasses: 2, features: [8, 16, 32], norm: 'instance' });
    randomizeState(model);
    const exported = exportModel(model);
    const x = randn([1, 2, 32, 32]);
    const data = x.toFloat32Array();
    const want = tidy(() => noGrad(() => model.forward(x).softmax(1).narrow(1, 1, 1).toFloat32Array()));
    const logits = torchOutputs(model, x).get('logits')!;
    x.dispose();
    const got = await ortOutputs(exported.bytes, data, [1, 2, 32, 32]);
    assert.ok(maxAbsDiff(got.get('logits')!, logits) < 1e-4);
    assert.ok(maxAbsDiff(got.get('probability')!, want) < 1e-4);
  });

  test('3D Attention U-Net: probability map and gate maps within 1e-4, dynamic depth/height/width', async () => {
    manualSeed(7);
    const model = createModel('attention_unet', { spatialDims: 3, inChannels: 1, numClasses: 2, features: [4, 8, 16] });
    randomizeState(model);
    const { exported, worst } = await parity(model, 'attunet3d.onnx', [[1, 1, 16, 24, 20]]);
    assert.deepEqual(exported.input.dims, ['batch', 1, 'depth', 'height', 'width']);
    assert.equal([...worst.keys()].filter((k) => k.startsWith('attention/')).length, 2);
    for (const [name, d] of worst) assert.ok(d < 1e-4, `${name}: max abs diff ${d}`);
  });

  test('ViT: logits, class-token attention and attention rollout within 1e-4', async () => {
    manualSeed(8);
    const model = createModel('vit', {
      imageSize: 32,
      patchSize: 8,
      inChannels: 1,
      numClasses: 3,
      dim: 32,
      depth: 2,
      numHeads: 2,
    });
    randomizeState(model);
    const { exported, worst } = await parity(model, 'vit.onnx', [[2, 1, 32, 32]]);
    assert.deepEqual(exported.input.dims, ['batch', 1, 32, 32]);
    assert.deepEqual([...worst.keys()].sort(), [
      'attention/cls_attention.spatial',
      'attention/rollout.spatial',
      'logits',
      'probabilities',
    ]);
    for (const [name, d] of worst) assert.ok(d < 1e-4, `${name}: max abs diff ${d}`);
  });

  test('CenterNet: heat map probabilities, size and offset heads and stage maps within 1e-4', async () => {
    manualSeed(9);
    const model = createModel('centernet', { inChannels: 3, numClasses: 3 }) as CenterNet;
    randomizeState(model);
    const exported = exportModel(model);
    const path = join(dir, 'centernet.onnx');
    writeFileSync(path, exported.bytes);
    assert.equal(onnxCheck(path), '');
    assert.deepEqual(exported.input.dims, ['batch', 3, 'height', 'width']);
    assert.deepEqual(
      exported.outputs.slice(0, 3).map((o) => [o.name, o.dims]),
      [
        ['heatmap', ['batch', 3, 'height/4', 'width/4']],
        ['size', ['batch', 2, 'height/4', 'width/4']],
        ['offset', ['batch', 2, 'height/4', 'width/4']],
      ],
    );
    const x = randn([2, 3, 64, 96]);
    const data = x.toFloat32Array();
    const reference = torchOutputs(model, x);
    const heads = tidy(() => noGrad(() => model.heads(model.forward(x))));
    x.dispose();
    const got = await ortOutputs(exported.bytes, data, [2, 3, 64, 96]);
    for (const k of ['heatmap', 'size', 'offset'] as const)
      assert.ok(maxAbsDiff(got.get(k)!, heads[k]) < 1e-4, `${k}: ${maxAbsDiff(got.get(k)!, heads[k])}`);
    const maps = [...reference.keys()].filter((k) => k.startsWith('attention/'));
    assert.ok(maps.length >= 2);
    for (const k of maps) assert.ok(maxAbsDiff(got.get(k)!, reference.get(k)!) < 1e-4, k);
  });

  test('a layer the exporter does not know is one line naming the layer', () => {
    manualSeed(6);
    const model = createModel('attention_cnn', {
      stages: [
        { channels: 8, attention: 'se' },
        { channels: 8, attention: 'se' },
      ],
    });
    class Unlisted extends Module {
      forward(x: Tensor): Tensor {
        return x;
      }
    }
    (model as unknown as { stages: { items: { attention: Module }[] } }).stages.items[1].attention = new Unlisted();
    assert.throws(
      () => exportModel(model),
      /^ExportError: cannot export layer 'stages\.1\.attention' \(Unlisted\): the ONNX exporter has no emitter for this layer class$/,
    );
    assert.throws(() => exportModel(model, { opset: 12 }), /--opset: expected one of 15, 16, 17, got 12/);
  });

  test('attention CNN with multi-head spatial self-attention (mhsa): logits and its map within 1e-4', async () => {
    manualSeed(12);
    const model = createModel('attention_cnn', {
      inChannels: 1,
      numClasses: 3,
      stages: [
        { channels: 16, attention: 'se' },
        { channels: 16, attention: 'mhsa' },
        { channels: 24, attention: 'mhsa', pool: false },
      ],
    });
    randomizeState(model); // gamma becomes non-zero, so the attended path counts
    const { exported, worst } = await parity(model, 'mhsa.onnx', [[2, 1, 32, 32]], [1, 32, 32]);
    assert.deepEqual(
      exported.outputs.map((o) => o.name).filter((n) => n.startsWith('attention/')),
      [
        'attention/stages.0.attention.channel',
        'attention/stages.1.attention.spatial',
        'attention/stages.2.attention.spatial',
      ],
    );
    for (const [name, d] of worst) assert.ok(d < 1e-4, `${name}: max abs diff ${d}`);
    console.log('mhsa max abs diff', Object.fromEntries(worst));
  });

  test('U-Net and 3D Attention U-Net with group norm: outputs and gate maps within 1e-4 (dynamic sizes)', async () => {
    manualSeed(13);
    const model = createModel('attention_unet', { inChannels: 1, numClasses: 1, features: [8, 16, 32], norm: 'group' });
    randomizeState(model);
    const { worst } = await parity(model, 'unet-gn.onnx', [
      [2, 1, 32, 40],
      [1, 1, 48, 24],
    ]);
    assert.equal([...worst.keys()].filter((k) => k.startsWith('attention/')).length, 2);
    for (const [name, d] of worst) assert.ok(d < 1e-4, `${name}: max abs diff ${d}`);
    const model3d = createModel('attention_unet', {
      spatialDims: 3,
      inChannels: 1,
      numClasses: 2,
      features: [8, 16],
      norm: 'group',
    });
    randomizeState(model3d);
    const { worst: worst3d } = await parity(model3d, 'unet3d-gn.onnx', [[1, 1, 16, 12, 20]]);
    for (const [name, d] of worst3d) assert.ok(d < 1e-4, `${name}: max abs diff ${d}`);
    console.log('group norm max abs diff', Object.fromEntries(worst), Object.fromEntries(worst3d));
  });
});
