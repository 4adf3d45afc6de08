// quantizeModel's attention blocks on integer kernels: in the shipped PneumoniaMNIST attention CNN (SE, CBAM,
// non-local) ONNX Runtime's optimized int8 graph runs the gate products as QLinearMul, the channel means as
// QLinearGlobalAveragePool, the non-local embeddings as QLinearConv and its residual as QLinearAdd; with
// `attention: false` they stay float between DequantizeLinear and QuantizeLinear. In an Attention U-Net the
// gates' logits and products run as QLinearConv/QLinearAdd/QLinearMul, the encoder MaxPools on uint8, and the
// decoder's up-convolutions (a 1x1 conv + pixel shuffle) and concatenations on integers. On real PneumoniaMNIST
// images the int8 probabilities and attention maps stay within stated tolerances of fp32.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import * as ort from 'onnxruntime-node';
import { readNpz } from '../../src/data/io/index.js';
import { decodeModel, exportModel, quantizeModel, type CalibrationBatch } from '../../src/export/index.js';
import { createModel } from '../../src/models/index.js';
import { manualSeed, randn } from '../../src/tensor/index.js';
import { dataPath, needsData } from '../helpers/shared-data.js';
import { maxAbsDiff, ortOutputs, randomizeState, shippedAttentionCnn } from './onnx-reference.js';

const dir = mkdtempSync(join(tmpdir(), 'medattn-int8-attention-'));
after(() => rmSync(dir, { recursive: true, force: true }));

/** Op types of ONNX Runtime's optimized graph (level all, 1 thread), counted. */
async function optimizedOps(bytes: Uint8Array, name: string): Promise<Record<string, number>> {
  const path = join(dir, `${name}.opt.onnx`);
  const session = await ort.InferenceSession.create(bytes, {
    intraOpNumThreads: 1,
    graphOptimizationLevel: 'all',
    optimizedModelFilePath: path,
  });
  await session.release();
  const counts: Record<string, number> = {};
  for (const n of decodeModel(readFileSync(path)).graph.node) counts[n.op_type] = (counts[n.op_type] ?? 0) + 1;
  return counts;
}

const randomBatches = (n: number, batch: number): CalibrationBatch[] =>
  Array.from({ length: n }, () => {
    const x = randn([batch, 1, 28, 28]);
    const data = x.toFloat32Array();
    x.dispose();
    return { data, shape: [batch, 1, 28, 28] };
  });

test('int8 attention CNN: ONNX Runtime fuses SE, CBAM and non-local ops into integer kernels', async () => {
  const model = shippedAttentionCnn(5);
  const fp32 = exportModel(model, { inputShape: [1, 28, 28] });
  const calibration = randomBatches(2, 16);
  const q = await quantizeModel(fp32.bytes, calibration, { threads: 1 });
  const ops = await optimizedOps(q.bytes, 'attention');
  const meta = JSON.parse(
    Object.fromEntries(decodeModel(q.bytes).metadata_props.map((p) => [p.key, p.value]))['medattn.int8'],
  );
  // SE's x * gate, CBAM's channel and spatial gate products; the sigmoid gates get the fixed [0, 1] range
  assert.equal(meta.gates, 3);
  assert.equal(ops.QLinearMul, 3, JSON.stringify(ops));
  // SE's and CBAM's channel means, the head's global average pool
  assert.equal(ops.QLinearGlobalAveragePool, 3, JSON.stringify(ops));
  assert.equal(ops.QLinearAdd, 1, 'the non-local residual');
  // 5 feature convolutions (the first stays float) + the non-local theta, phi, g and output convolutions
  assert.equal(ops.QLinearConv, 9, JSON.stringify(ops));
  // the non-local gamma is folded into its output convolution at export: no float Mul by it, and the output
  // convolution feeds the integer residual; the MaxPool after that residual pools on uint8
  assert.equal(ops.Mul, undefined, JSON.stringify(ops));
  assert.equal(ops.MaxPool, undefined, JSON.stringify(ops));
  assert.equal(ops.NhwcMaxPool, 3, JSON.stringify(ops));
  assert.equal(ops.GlobalAveragePool, undefined);

  const plain = await quantizeModel(fp32.bytes, calibration, { threads: 1, attention: false });
  const plainOps = await optimizedOps(plain.bytes, 'plain');
  assert.equal(plainOps.QLinearMul, undefined);
  assert.equal(plainOps.QLinearGlobalAveragePool, undefined);
  assert.equal(plainOps.QLinearConv, 5);
  console.log(`optimized int8 graph: ${JSON.stringify(ops)}; attention off: ${JSON.stringify(plainOps)}`);
  model.dispose();
});

test("int8 Attention U-Net: the gates' logits and products, the encoder pools, the decoder's up-sampling and concatenation on integers", async () => {
  manualSeed(6);
  const model = createModel('attention_unet', { inChannels: 1, numClasses: 1, features: [8, 16, 32, 64] });
  randomizeState(model);
  const fp32 = exportModel(model, {});
  const x = randn([2, 1, 64, 64]);
  const calibration = [{ data: x.toFloat32Array(), shape: [2, 1, 64, 64] }];
  x.dispose();
  const q = await quantizeModel(fp32.bytes, calibration, { threads: 1 });
  const ops = await optimizedOps(q.bytes, 'unet');
  // x * alpha of the 3 attention gates (alpha: a sigmoid resized linearly, fixed range [0, 1])
  assert.equal(ops.QLinearMul, 3, JSON.stringify(ops));
  // the 3 encoder MaxPools keep their input's range, so ONNX Runtime pools on uint8
  assert.equal(ops.NhwcMaxPool, 3, JSON.stringify(ops));
  // up-convolutions as 1x1 integer convs + pixel shuffle (no float ConvTranspose); each skip + up-sampled
  // concatenation on integers with the gates' W convolutions as integer convs; the gates' additive logits
  // theta(x) + resize(phi(g)) on integers: 13 QLinearConv before, + 3 up + 3 W + 3 theta + 3 phi
  assert.equal(ops.ConvTranspose, undefined, JSON.stringify(ops));
  assert.equal(ops.QLinearConcat, 3, JSON.stringify(ops));
  assert.equal(ops.QLinearAdd, 3, JSON.stringify(ops));
  assert.equal(ops.QLinearConv, 25, JSON.stringify(ops));
  // what stays float: the first convolution and the head (Conv), the 3 psi convolutions fused with their sigmoid
  assert.equal(ops.Conv, 2, JSON.stringify(ops));
  assert.equal(ops.FusedConv, 3, JSON.stringify(ops));
  const plain = await optimizedOps(
    (await quantizeModel(fp32.bytes, calibration, { threads: 1, attention: false })).bytes,
    'unet-plain',
  );
  assert.equal(plain.QLinearMul, undefined);
  assert.equal(plain.QLinearAdd, undefined);
  assert.equal(plain.NhwcMaxPool, 3);
  const transposed = await optimizedOps(
    (await quantizeModel(fp32.bytes, calibration, { threads: 1, decoder: false })).bytes,
    'unet-transposed',
  );
  assert.equal(transposed.ConvTranspose, 3, JSON.stringify(transposed));
  assert.equal(transposed.QLinearConcat, undefined, JSON.stringify(transposed));
  model.dispose();
});

test(
  'int8 attention CNN on real PneumoniaMNIST images: probabilities and attention maps near fp32',
  needsData('pneumoniamnist', 'pneumoniamnist.npz'),
  async () => {
    const npz = await readNpz(dataPath('pneumoniamnist', 'pneumoniamnist.npz'));
    // the eval transforms of configs/pneumoniamnist.json: x / 255, then (x - 0.5) / 0.25
    const images = (split: string, from: number, n: number): CalibrationBatch => {
      const raw = npz.get(`${split}_images`)!.data as Uint8Array;
      const data = Float32Array.from(raw.subarray(from * 784, (from + n) * 784), (v) => (v / 255 - 0.5) / 0.25);
      return { data, shape: [n, 1, 28, 28] };
    };
    const model = shippedAttentionCnn(5);
    const fp32 = exportModel(model, { inputShape: [1, 28, 28] });
    const calibration = [images('train', 0, 64), images('train', 64, 64)];
    const val = images('val', 0, 64);
    const a = await ortOutputs(fp32.bytes, val.data, val.shape);
    const diffs = async (options: { attention: boolean }) => {
      const q = await quantizeModel(fp32.bytes, calibration, { threads: 1, ...options });
      const b = await ortOutputs(q.bytes, val.data, val.shape);
      return Object.fromEntries([...a.keys()].map((k) => [k, maxAbsDiff(a.get(k)!, b.get(k)!)]));
    };
    const on = await diffs({ attention: true });
    const off = await diffs({ attention: false });
    console.log(`max abs int8 - fp32 on 64 val images: attention on ${JSON.stringify(on)}, off ${JSON.stringify(off)}`);
    assert.ok(on.probabilities < 0.01, `probabilities differ by ${on.probabilities}`);
    for (const [k, d] of Object.entries(on))
      if (k.startsWith('attention/')) assert.ok(d < 0.02, `${k} differs by ${d}`);
    model.dispose();
  },
);
