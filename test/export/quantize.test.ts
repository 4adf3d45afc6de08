// quantizeModel: QDQ int8 of an exported network (random weights, generated calibration inputs): every conv
// and linear weight becomes int8 with per-channel scales, the file is about a quarter of fp32, ONNX's full
// checker accepts it and ONNX Runtime's int8 outputs stay close to fp32.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { decodeModel, exportModel, quantizeModel } from '../../src/export/index.js';
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
  assert.equal(q.weights, convs, 'every Conv/Gemm weight quantized');
  const int8Weights = graph.initializer.filter((t) => t.data_type === 3 && !t.name.endsWith('/zero_point'));
  assert.equal(int8Weights.length, convs);
  const conv0 = graph.initializer.find((t) => t.name === 'stages.0.convs.0.weight/scale');
  assert.deepEqual(conv0?.dims.map(Number), [32], 'one scale per output channel');
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
  assert.deepEqual(JSON.parse(meta['medattn.int8']), {
    scheme: 'qdq',
    weights: 'int8 per-channel symmetric, range [-63, 63]',
    activations: 'uint8 asymmetric',
    percentile: 99.99,
    calibration_images: 64,
  });
  console.log(`int8: ${fp32.bytes.length} -> ${q.bytes.length} bytes (${ratio.toFixed(3)}x), max prob diff ${dp}`);
});
