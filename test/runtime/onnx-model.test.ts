// OnnxModel: an exported file in ONNX Runtime, its metadata, and inputs checked against the graph's declared
// input (one-line errors naming the file and what was expected).
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { exportModel } from '../../src/export/index.js';
import { createModel } from '../../src/models/index.js';
import { OnnxModel, OnnxModelError } from '../../src/runtime/index.js';
import { manualSeed } from '../../src/tensor/index.js';

const dir = mkdtempSync(join(tmpdir(), 'medattn-runtime-'));
after(() => rmSync(dir, { recursive: true, force: true }));

test('OnnxModel runs an exported classifier, reads its metadata and rejects inputs of the wrong shape', async () => {
  manualSeed(0);
  const model = createModel('attention_cnn', {});
  model.eval();
  const path = join(dir, 'cnn.onnx');
  writeFileSync(
    path,
    exportModel(model, { inputShape: [1, 28, 28], metadata: { 'medattn.task': 'classification' } }).bytes,
  );
  const onnx = await OnnxModel.load(path, { threads: 1 });
  try {
    assert.deepEqual(onnx.input, { name: 'image', dims: ['batch', 1, 28, 28] });
    assert.equal(onnx.metadata['medattn.task'], 'classification');
    const out = await onnx.run(new Float32Array(2 * 28 * 28), [2, 1, 28, 28]);
    assert.deepEqual(out.get('probabilities')!.dims, [2, 2]);
    assert.deepEqual(out.get('attention/stages.1.attention.spatial')!.dims, [2, 1, 28, 28]);
    await assert.rejects(
      onnx.run(new Float32Array(3 * 28 * 28), [1, 3, 28, 28]),
      (e: Error) =>
        e instanceof OnnxModelError &&
        e.message ===
          `${path}: input 'image' expects [batch, 1, 28, 28] (batch, channels, spatial), got [1, 3, 28, 28]`,
    );
    await assert.rejects(
      onnx.run(new Float32Array(28 * 28), [1, 28, 28]),
      /expects \[batch, 1, 28, 28\].*got \[1, 28, 28\]$/,
    );
  } finally {
    await onnx.release();
  }
  await assert.rejects(
    OnnxModel.load(join(dir, 'none.onnx')),
    /none\.onnx: no such ONNX model \(write it with medattn export --run DIR\)$/,
  );
  writeFileSync(join(dir, 'bad.onnx'), 'not a model');
  await assert.rejects(
    OnnxModel.load(join(dir, 'bad.onnx')),
    (e: Error) => e instanceof OnnxModelError && e.message.startsWith(`${join(dir, 'bad.onnx')}: `),
  );
});
