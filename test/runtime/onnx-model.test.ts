// OnnxModel: an exported file in ONNX Runtime, its metadata, and inputs checked against the graph's declared
// input (one-line errors naming the file and what was expected).
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { exportModel } from '../../src/export/index.js';
import { createModel } from '../../src/models/index.js';
import { OnnxModel, OnnxModelError, OnnxWorkerModel } from '../../src/runtime/index.js';
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

test('OnnxWorkerModel (the session in a worker thread) gives OnnxModel outputs bit for bit, its errors, and frees its thread', async () => {
  manualSeed(1);
  const model = createModel('attention_cnn', {});
  model.eval();
  const path = join(dir, 'cnn-worker.onnx');
  writeFileSync(
    path,
    exportModel(model, { inputShape: [1, 28, 28], metadata: { 'medattn.task': 'classification' } }).bytes,
  );
  const input = Float32Array.from({ length: 3 * 28 * 28 }, (_, i) => Math.sin(i * 0.37));
  const direct = await OnnxModel.load(path, { threads: 1 });
  const expected = await direct.run(input.slice(), [3, 1, 28, 28]);
  await direct.release();
  const worker = await OnnxWorkerModel.load(path, { threads: 1 });
  try {
    assert.deepEqual(worker.input, { name: 'image', dims: ['batch', 1, 28, 28] });
    assert.equal(worker.metadata['medattn.task'], 'classification');
    assert.deepEqual(worker.outputNames, direct.outputNames);
    // several requests in flight at once come back to their own callers
    const [a, b] = await Promise.all([
      worker.run(input.slice(), [3, 1, 28, 28]),
      worker.run(input.slice(0, 28 * 28), [1, 1, 28, 28], ['probabilities']),
    ]);
    for (const [name, out] of expected) {
      assert.deepEqual(a.get(name)!.dims, out.dims, name);
      assert.deepEqual(Array.from(a.get(name)!.data), Array.from(out.data), name);
    }
    assert.deepEqual([...b.keys()], ['probabilities']);
    assert.deepEqual(
      Array.from(b.get('probabilities')!.data),
      Array.from(expected.get('probabilities')!.data.slice(0, 2)),
    );
    await assert.rejects(
      worker.run(new Float32Array(3 * 28 * 28), [1, 3, 28, 28]),
      (e: Error) =>
        e instanceof OnnxModelError && /expects \[batch, 1, 28, 28\].*got \[1, 3, 28, 28\]$/.test(e.message),
    );
  } finally {
    await worker.release();
  }
  await assert.rejects(worker.run(input, [3, 1, 28, 28]), /the ONNX Runtime worker exited/);
  await assert.rejects(
    OnnxWorkerModel.load(join(dir, 'none.onnx')),
    (e: Error) => e instanceof OnnxModelError && /none\.onnx: no such ONNX model/.test(e.message),
  );
});
