// quantizeModel: QDQ int8 of an exported network (random weights, generated calibration inputs): every conv
// and linear weight but the first convolution and the head becomes int8 with per-channel scales (all of them
// with floatEnds off), the file is about a quarter of fp32, ONNX's full checker accepts it and ONNX Runtime's
// int8 outputs stay close to fp32. With ranges 'mse' every tensor gets one of the candidate percentiles.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { decodeModel, exportModel, quantizeModel, rangePercentiles } from '../../src/export/index.js';
import { createModel } from '../../src/models/index.js';
import { manualSeed, randn } from '../../src/tensor/index.js';
import { maxAbsDiff, onnxCheck, ortOutputs, randomizeState } from './onnx-reference.js';

const dir = mkdtempSync(join(tmpdir(), 'medattn-int8-'));
after(() => rmSync(dir, { recursive: true, force: true }));

test('int8 QDQ attention CNN: int8 weights with per-channel scales, < 0.3x the fp32 file, outputs near fp32', async () => {
  manualSeed(11);
  const model = createModel('attention_cnn', {
    stages: [
      { channels: 32, attention: 'se', convs: 2 },
      { channels: 64, attention: 'cbam', convs: 2 },
      { channels: 128, attention: 'nonlocal', convs: 2 },
    ],
  });
  randomizeState(model);
  const fp32 = exportModel(model, { inputShape: [1, 28, 28] });
  const calibration = Array.from({ length: 4 }, () => {
    const x = randn([16, 1, 28, 28]);
    const data = x.toFloat32Array();
    x.dispose();
    return { data, shape: [16, 1, 28, 28] };
  });
  const q = await quantizeModel(fp32.bytes, calibration);
  const graph = decodeModel(q.bytes).graph;
  const convs = graph.node.filter((n) => n.op_type === 'Conv' || n.op_type === 'Gemm').length;
  // floatEnds (default): the convolution on the image and the linear head stay float32, and so does the image
  assert.deepEqual(q.floatLayers, ['stages.0.convs.0.weight', 'head.weight']);
  assert.equal(q.weights, convs - 2, 'every other Conv/Gemm weight quantized');
  const int8Weights = graph.initializer.filter((t) => t.data_type === 3 && !t.name.endsWith('/zero_point'));
  assert.equal(int8Weights.length, convs - 2);
  assert.equal(
    graph.initializer.find((t) => t.name === 'stages.0.convs.0.weight/scale'),
    undefined,
  );
  assert.ok(!graph.node.some((n) => n.op_type === 'QuantizeLinear' && n.input[0] === 'image'));
  const conv1 = graph.initializer.find((t) => t.name === 'stages.0.convs.1.weight/scale');
  assert.deepEqual(conv1?.dims.map(Number), [32], 'one scale per output channel');
  assert.equal(graph.node.filter((n) => n.op_type === 'QuantizeLinear').length, q.activations);
  const ratio = q.bytes.length / fp32.bytes.length;
  assert.ok(ratio < 0.3, `size ratio ${ratio}`);
  const path = join(dir, 'int8.onnx');
  writeFileSync(path, q.bytes);
  assert.equal(onnxCheck(path), '');
  const x = randn([8, 1, 28, 28]);
  const data = x.toFloat32Array();
  x.dispose();
  const a = await ortOutputs(fp32.bytes, data, [8, 1, 28, 28]);
  const b = await ortOutputs(q.bytes, data, [8, 1, 28, 28]);
  assert.deepEqual([...b.keys()], [...a.keys()], 'same outputs, attention maps included');
  const dp = maxAbsDiff(a.get('probabilities')!, b.get('probabilities')!);
  assert.ok(dp < 0.05, `probabilities differ by ${dp}`);
  const meta = Object.fromEntries(decodeModel(q.bytes).metadata_props.map((p) => [p.key, p.value]));
  const int8Meta = JSON.parse(meta['medattn.int8']);
  const chosen = int8Meta.percentiles as Record<string, number>;
  assert.deepEqual(
    { ...int8Meta, percentiles: undefined },
    {
      scheme: 'qdq',
      weights: 'int8 per-channel symmetric, range [-63, 63]',
      activations: 'uint8 asymmetric',
      ranges: 'percentile',
      percentiles: undefined,
      float_layers: 2,
      // SE's, CBAM's channel and spatial sigmoid gates: fixed range [0, 1], not calibrated
      gates: 3,
      // keep their input's range: the three stages' MaxPool outputs (ONNX Runtime pools on uint8) and the
      // Flatten of SE's and CBAM's quantized channel means
      shared_ranges: 5,
      calibration_images: 64,
    },
  );
  assert.deepEqual(chosen, { '99.99': q.activations - 3 - 5 });

  // floatEnds off, ranges by least squared error: every weight and the image quantized, each range a candidate
  const all = await quantizeModel(fp32.bytes, calibration, { floatEnds: false, ranges: 'mse' });
  assert.equal(all.weights, convs);
  assert.deepEqual(all.floatLayers, []);
  const allMeta = JSON.parse(
    Object.fromEntries(decodeModel(all.bytes).metadata_props.map((p) => [p.key, p.value]))['medattn.int8'],
  );
  assert.equal(allMeta.ranges, 'mse');
  const allChosen = allMeta.percentiles as Record<string, number>;
  assert.equal(
    Object.values(allChosen).reduce((a, b) => a + b, 0),
    all.activations - allMeta.gates - allMeta.shared_ranges,
  );
  for (const p of Object.keys(allChosen)) assert.ok((rangePercentiles as readonly number[]).includes(Number(p)), p);
  const c = await ortOutputs(all.bytes, data, [8, 1, 28, 28]);
  const dAll = maxAbsDiff(a.get('probabilities')!, c.get('probabilities')!);
  console.log(
    `int8: ${fp32.bytes.length} -> ${q.bytes.length} bytes (${ratio.toFixed(3)}x), max prob diff ${dp}; ` +
      `all layers, mse ranges: ${all.bytes.length} bytes, max prob diff ${dAll}; ranges chosen ${JSON.stringify(allChosen)}`,
  );
});
