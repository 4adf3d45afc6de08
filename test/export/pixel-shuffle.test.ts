// upConvolutionsAsPixelShuffle (used by the int8 quantizer): the Attention U-Net's 2x up-convolutions become a
// 1x1 Conv and a channels-last pixel shuffle with the same outputs as the ConvTranspose graph in float (ONNX
// Runtime, two input sizes, every output); transposed convolutions it does not cover (3D) are left as they are.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { decodeModel, encodeModel, exportModel, type ModelProto } from '../../src/export/index.js';
import { upConvolutionsAsPixelShuffle } from '../../src/export/pixel-shuffle.js';
import { createModel } from '../../src/models/index.js';
import { manualSeed, randn } from '../../src/tensor/index.js';
import { maxAbsDiff, onnxCheck, ortOutputs, randomizeState } from './onnx-reference.js';

const dir = mkdtempSync(join(tmpdir(), 'medattn-pixel-shuffle-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const opCount = (m: ModelProto, op: string) => m.graph.node.filter((n) => n.op_type === op).length;

test('2D Attention U-Net: up-convolutions as 1x1 conv + pixel shuffle, outputs equal within 1e-5', async () => {
  manualSeed(21);
  const model = createModel('attention_unet', { inChannels: 1, numClasses: 2, features: [8, 16, 32, 64] });
  randomizeState(model);
  const fp32 = exportModel(model, {});
  model.dispose();
  const before = decodeModel(fp32.bytes);
  const after = upConvolutionsAsPixelShuffle(before);
  assert.equal(opCount(before, 'ConvTranspose'), 3);
  assert.equal(opCount(after, 'ConvTranspose'), 0);
  assert.equal(opCount(after, 'Conv'), opCount(before, 'Conv') + 3);
  // per up-convolution: to channels-last, the row swap, back to channels-first
  assert.equal(opCount(after, 'Transpose'), 9);
  // the ConvTranspose weights and biases are replaced, not kept beside the new ones
  assert.ok(!after.graph.initializer.some((t) => /decoder\.\d\.up\.(weight|bias)$/.test(t.name)));
  const bytes = encodeModel(after);
  const path = join(dir, 'shuffled.onnx');
  writeFileSync(path, bytes);
  assert.equal(onnxCheck(path), '', 'onnx.checker full_check');
  for (const shape of [
    [2, 1, 48, 40],
    [1, 1, 64, 96],
  ]) {
    const x = randn(shape);
    const data = x.toFloat32Array();
    x.dispose();
    const want = await ortOutputs(fp32.bytes, data, shape);
    const have = await ortOutputs(bytes, data, shape);
    assert.deepEqual([...have.keys()], [...want.keys()]);
    for (const [name, w] of want) {
      const d = maxAbsDiff(have.get(name)!, w);
      assert.ok(d < 1e-5, `${name} at ${shape.join('x')}: max abs diff ${d}`);
    }
  }
});

test('3D U-Net: transposed 3D convolutions are left as they are', () => {
  manualSeed(22);
  const model = createModel('unet', { spatialDims: 3, inChannels: 1, numClasses: 1, features: [4, 8] });
  const m = decodeModel(exportModel(model, {}).bytes);
  model.dispose();
  assert.equal(opCount(m, 'ConvTranspose'), 1);
  assert.equal(upConvolutionsAsPixelShuffle(m), m);
});
