// MedMNIST .npz datasets against numpy: a MedMNIST-layout fixture written by the test (always) and the real
// PneumoniaMNIST (when ../shared/data is there): splits, labels, pixels; RGB and multi-label layouts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { basename, dirname, join } from 'node:path';
import { createDataset, classCounts, MedmnistDataset } from '../../../src/data/datasets/index.js';
import { writeSyntheticPneumoniamnist } from '../../fixtures/synthetic-xrays.js';
import { needsPneumonia, PNEUMONIA_NPZ } from '../../helpers/pneumonia-subset.js';
import { SHARED_DATA } from '../../helpers/shared-data.js';
import { python, tempDir } from './helpers.js';

const NPZ = PNEUMONIA_NPZ;

type Reference = { first: number[]; label0: number; val: number[]; valFirst: number[]; last: number[] };
/** What numpy reads from an npz in the PneumoniaMNIST layout. */
function numpyReference(file: string): Reference {
  return python<Reference>(`
import json, numpy as np
z = np.load(${JSON.stringify(file)})
print(json.dumps({
  'first': z['train_images'][0].ravel().tolist(), 'label0': int(z['train_labels'][0, 0]),
  'val': np.bincount(z['val_labels'][:, 0]).tolist(), 'valFirst': z['val_images'][0].ravel().tolist(),
  'last': z['train_images'][-1].ravel().tolist()}))`);
}
let realReference: Reference | undefined;
const ref = () => (realReference ??= numpyReference(NPZ));

test('MedMNIST-layout fixture (written here, read back by numpy): splits, class names, pixels, labels, describe()', async () => {
  const fixture = writeSyntheticPneumoniamnist(tempDir('medmnist-fixture'), { train: 60, val: 20 });
  const expected = numpyReference(fixture.file);
  const train = await createDataset({ kind: 'medmnist', file: fixture.file, split: 'train' });
  assert.ok(train instanceof MedmnistDataset);
  assert.equal(train.length, 60);
  assert.deepEqual(train.classNames, ['normal', 'pneumonia']);
  const ones = fixture.train.labels.reduce((a, b) => a + b, 0);
  assert.deepEqual(classCounts(train.labels()!), [60 - ones, ones]);
  const s = await train.get(0);
  assert.equal(s.id, 'pneumoniamnist:train:0');
  assert.deepEqual(s.image.shape, [1, 28, 28]);
  assert.deepEqual(Array.from(s.image.data), expected.first);
  assert.equal(s.label, expected.label0);
  assert.deepEqual(Array.from((await train.get(59)).image.data), expected.last);
  assert.equal(s.image.data.buffer.byteLength, 784);
  await assert.rejects(train.get(60), /index 60 outside 0\.\.59/);
  const val = await createDataset(
    { kind: 'medmnist', file: basename(fixture.file), split: 'val' },
    { baseDir: dirname(fixture.file) },
  );
  assert.equal(val.length, 20);
  assert.deepEqual(classCounts(val.labels()!), expected.val);
  assert.deepEqual(Array.from((await val.get(0)).image.data), expected.valFirst);
  assert.deepEqual(val.describe(), { kind: 'medmnist', file: fixture.file, split: 'val' });
  await assert.rejects(
    createDataset({ kind: 'medmnist', file: fixture.file, split: 'test' }),
    (e: Error) =>
      e.message ===
      `${fixture.file}: no array named 'test_images' (has: train_images, train_labels, val_images, val_labels)`,
  );
});

test('PneumoniaMNIST train: 4690 samples, [1213, 3477], first image equals numpy', needsPneumonia(), async () => {
  const ds = await createDataset({ kind: 'medmnist', file: NPZ, split: 'train' });
  assert.ok(ds instanceof MedmnistDataset);
  assert.equal(ds.length, 4690);
  assert.deepEqual(ds.classNames, ['normal', 'pneumonia']);
  assert.deepEqual(classCounts(ds.labels()!), [1213, 3477]);
  const s = await ds.get(0);
  assert.equal(s.id, 'pneumoniamnist:train:0');
  assert.deepEqual(s.image.shape, [1, 28, 28]);
  assert.ok(s.image.data instanceof Uint8Array);
  assert.deepEqual(Array.from(s.image.data), ref().first);
  assert.equal(s.label, ref().label0);
  assert.deepEqual(Array.from((await ds.get(4689)).image.data), ref().last);
  // A copy, not a view of the whole split (a view would drag 3.7 MB through postMessage).
  assert.equal(s.image.data.buffer.byteLength, 784);
  await assert.rejects(ds.get(4690), /index 4690 outside 0\.\.4689/);
});

test(
  'PneumoniaMNIST val: 524 samples, counts and first image from numpy; relative path and describe()',
  needsPneumonia(),
  async () => {
    const ds = await createDataset(
      { kind: 'medmnist', file: 'pneumoniamnist/pneumoniamnist.npz', split: 'val' },
      { baseDir: SHARED_DATA },
    );
    assert.equal(ds.length, 524);
    assert.deepEqual(classCounts(ds.labels()!), ref().val);
    assert.deepEqual(Array.from((await ds.get(0)).image.data), ref().valFirst);
    assert.deepEqual(ds.describe(), { kind: 'medmnist', file: NPZ, split: 'val' });
    // A worker rebuilds it from the JSON alone (and the decoded split comes from the per-process cache).
    const again = await createDataset(JSON.parse(JSON.stringify(ds.describe())));
    assert.equal(again.length, 524);
    assert.deepEqual(Array.from((await again.get(0)).image.data), ref().valFirst);
  },
);

test('missing split: one-line error naming the file and the arrays it has', needsPneumonia(), async () => {
  await assert.rejects(
    createDataset({ kind: 'medmnist', file: NPZ, split: 'test' }),
    (e: Error) =>
      e.message === `${NPZ}: no array named 'test_images' (has: train_images, train_labels, val_images, val_labels)`,
  );
});

test('RGB (N, H, W, 3) becomes channels-first; (N, k) labels are multi-label; generic class names', async () => {
  const dir = tempDir('medmnist');
  const rgb = join(dir, 'bloodmnist.npz');
  const multi = join(dir, 'mystery.npz');
  const expected = python<{ chw: number[] }>(`
import json, numpy as np
x = np.arange(3 * 2 * 2 * 3, dtype=np.uint8).reshape(3, 2, 2, 3)
np.savez_compressed(${JSON.stringify(rgb)}, train_images=x, train_labels=np.array([[0], [7], [3]], np.uint8))
np.savez(${JSON.stringify(multi)}, val_images=x[:, :, :, 0], val_labels=np.array([[1, 0, 1], [0, 0, 0], [1, 1, 1]], np.uint8))
print(json.dumps({'chw': x[1].transpose(2, 0, 1).ravel().tolist()}))`);
  const blood = await createDataset({ kind: 'medmnist', file: rgb });
  assert.equal(blood.classNames!.length, 8);
  assert.equal(blood.classNames![7], 'platelet');
  const s = await blood.get(1);
  assert.deepEqual(s.image.shape, [3, 2, 2]);
  assert.deepEqual(Array.from(s.image.data), expected.chw);
  assert.equal(s.label, 7);
  const m = await createDataset({ kind: 'medmnist', file: multi, split: 'val' });
  assert.deepEqual(m.classNames, ['class 0', 'class 1', 'class 2']);
  assert.equal(m.labels(), undefined);
  assert.deepEqual(Array.from((await m.get(0)).multiLabel!), [1, 0, 1]);
  assert.deepEqual((await m.get(2)).image.shape, [1, 2, 2]);
});
