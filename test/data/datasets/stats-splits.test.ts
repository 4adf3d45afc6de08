// Class counts and weights (hand-computed), seeded k-fold / hold-out splits, subset specs and spec errors, on
// fixtures the test writes (always) and on the real PneumoniaMNIST (when ../shared/data is there).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  classCounts,
  classWeights,
  createDataset,
  holdOut,
  kFold,
  splitIds,
  type Split,
} from '../../../src/data/datasets/index.js';
import { writeDriveLike } from '../../fixtures/synthetic-pairs.js';
import { writeSyntheticPneumoniamnist } from '../../fixtures/synthetic-xrays.js';
import { needsPneumonia, PNEUMONIA_NPZ } from '../../helpers/pneumonia-subset.js';
import { oneLine, tempDir } from './helpers.js';

const NPZ = PNEUMONIA_NPZ;
/** A MedMNIST-layout fixture: 90 training images. */
const fixture = writeSyntheticPneumoniamnist(tempDir('splits'), { train: 90, val: 10 });

test('class counts and inverse / effective-number weights, by hand', () => {
  assert.deepEqual(classCounts([0, 1, 1, 2, 1, -1]), [1, 3, 1]);
  assert.deepEqual(classCounts([1, 1], 4), [0, 2, 0, 0]);
  // PneumoniaMNIST train, inverse = n / (k * count): 4690 / 2426 and 4690 / 6954.
  const inv = classWeights([1213, 3477]);
  assert.ok(
    Math.abs(inv[0] - 1.9332234130255566) < 1e-12 && Math.abs(inv[1] - 0.6744319815933276) < 1e-12,
    String(inv),
  );
  // Effective number, beta = 0.999: w_c = 0.001 / (1 - 0.999^n_c) = 0.00142270 and 0.00103183; scaled to sum 2.
  const eff = classWeights([1213, 3477], { method: 'effective' });
  assert.ok(Math.abs(eff[0] - 1.15925) < 1e-4 && Math.abs(eff[1] - 0.84075) < 1e-4, String(eff));
  assert.ok(Math.abs(eff[0] + eff[1] - 2) < 1e-12);
  assert.deepEqual(classWeights([10, 10, 10], { method: 'effective', beta: 0 }), [1, 1, 1]);
  assert.deepEqual(classWeights([2, 6, 0]), [8 / 6, 8 / 18, 0]);
  assert.throws(() => classWeights([1, 2], { method: 'effective', beta: 1 }), /beta must be in \[0, 1\), got 1/);
});

function checkPartition(folds: Split[], n: number): void {
  const seen = new Int32Array(n);
  for (const f of folds) {
    for (const i of f.val) seen[i]++;
    assert.equal(f.train.length + f.val.length, n);
    const val = new Set(f.val);
    assert.ok(
      f.train.every((i) => !val.has(i)),
      'train and val overlap',
    );
  }
  assert.ok(
    seen.every((c) => c === 1),
    'every sample validates exactly once',
  );
}

test('stratified 3-fold on the fixture: disjoint, covering, each class split as evenly as it divides', async () => {
  const ds = await createDataset({ kind: 'medmnist', file: fixture.file });
  const labels = ds.labels()!;
  const [normal, pneumonia] = classCounts(labels, 2);
  assert.equal(normal + pneumonia, 90);
  const folds = kFold(ds.length, { k: 3, seed: 1, labels });
  checkPartition(folds, 90);
  for (const f of folds) {
    const c = classCounts(
      f.val.map((i) => labels[i]),
      2,
    );
    assert.ok(c[0] === Math.floor(normal / 3) || c[0] === Math.ceil(normal / 3), String(c));
    assert.ok(c[1] === Math.floor(pneumonia / 3) || c[1] === Math.ceil(pneumonia / 3), String(c));
  }
  // A fold as a subset spec that a loader worker can rebuild from JSON.
  const train = await createDataset({ kind: 'subset', of: ds.describe(), indices: folds[0].train });
  assert.equal(train.length, 90 - folds[0].val.length);
  const rebuilt = await createDataset(JSON.parse(JSON.stringify(train.describe())));
  assert.deepEqual(rebuilt.ids(), train.ids());
  assert.deepEqual((await rebuilt.get(0)).image.data, (await ds.get(folds[0].train[0])).image.data);
  const repeated = await createDataset({ kind: 'subset', of: ds.describe(), indices: [3, 1], repeat: 3 });
  assert.deepEqual(
    repeated.ids(),
    [3, 1, 3, 1, 3, 1].map((i) => ds.ids()[i]),
  );
});

test(
  'stratified 5-fold on PneumoniaMNIST: disjoint, covering, 242-243 normal and 695-696 pneumonia per fold',
  needsPneumonia(),
  async () => {
    const ds = await createDataset({ kind: 'medmnist', file: NPZ });
    const labels = ds.labels()!;
    const folds = kFold(ds.length, { k: 5, seed: 1, labels });
    checkPartition(folds, 4690);
    for (const f of folds) {
      assert.equal(f.val.length, 938);
      const c = classCounts(
        f.val.map((i) => labels[i]),
        2,
      );
      assert.ok(c[0] === 242 || c[0] === 243, String(c));
      assert.ok(c[1] === 695 || c[1] === 696, String(c));
    }
    assert.deepEqual(kFold(4690, { k: 5, seed: 1, labels }), folds, 'same seed, same folds');
    assert.notDeepEqual(kFold(4690, { k: 5, seed: 2, labels })[0].val, folds[0].val);
    // A fold as a subset spec that a loader worker can rebuild.
    const train = await createDataset({ kind: 'subset', of: ds.describe(), indices: folds[0].train });
    assert.equal(train.length, 3752);
    assert.deepEqual(classCounts(train.labels()!), [
      1213 - classCounts(folds[0].val.map((i) => labels[i]))[0],
      3477 - classCounts(folds[0].val.map((i) => labels[i]))[1],
    ]);
    const rebuilt = await createDataset(JSON.parse(JSON.stringify(train.describe())));
    assert.deepEqual(rebuilt.ids(), train.ids());
    assert.deepEqual((await rebuilt.get(0)).image.data, (await ds.get(folds[0].train[0])).image.data);
    // repeat: the selection (all of `of` when no indices/ids are given) repeated, e.g. patches per epoch.
    const repeated = await createDataset({ kind: 'subset', of: ds.describe(), indices: [3, 1], repeat: 3 });
    assert.deepEqual(
      repeated.ids(),
      [3, 1, 3, 1, 3, 1].map((i) => ds.ids()[i]),
    );
    assert.equal((await createDataset({ kind: 'subset', of: ds.describe(), repeat: 2 })).length, 2 * 4690);
  },
);

test('DRIVE-layout 5-fold by case id: folds of 4 cases, a pairs spec per fold', async () => {
  const drive = writeDriveLike(
    tempDir('drive-folds'),
    Array.from({ length: 20 }, (_, i) => 21 + i),
  );
  const base = { kind: 'pairs', images: drive.images, masks: drive.masks } as const;
  const all = await createDataset(base);
  const folds = kFold(all.length, { k: 5, seed: 0 });
  checkPartition(folds, 20);
  assert.deepEqual(
    folds.map((f) => f.val.length),
    [4, 4, 4, 4, 4],
  );
  const ids = splitIds(folds[2], all.ids());
  const trainSet = await createDataset({ ...base, ids: ids.train });
  assert.equal(trainSet.length, 16);
  assert.ok(ids.val.every((id) => !trainSet.ids().includes(id)));
  assert.deepEqual(
    kFold(7, { k: 3 }).map((f) => f.val.length),
    [3, 2, 2],
  );
  assert.throws(() => kFold(3, { k: 4 }), /k = 4 folds need at least 4 samples, got 3/);
});

test('hold-out: stratified fraction per class, deterministic', () => {
  const labels = [...new Array(30).fill(0), ...new Array(70).fill(1)];
  const s = holdOut(100, { fraction: 0.2, seed: 3, labels });
  assert.equal(s.val.length, 20);
  assert.deepEqual(classCounts(s.val.map((i) => labels[i])), [6, 14]);
  assert.deepEqual(holdOut(100, { fraction: 0.2, seed: 3, labels }), s);
  assert.deepEqual(
    [...s.train, ...s.val].sort((a, b) => a - b),
    Array.from({ length: 100 }, (_, i) => i),
  );
  assert.equal(holdOut(10, { fraction: 0.25 }).val.length, 3);
});

test('spec errors are one line naming the option', async () => {
  const msg = async (spec: unknown) => {
    try {
      await createDataset(spec as never);
    } catch (e) {
      return oneLine(e);
    }
    return 'no error';
  };
  assert.equal(
    await msg({ kind: 'zip' }),
    'dataset spec: kind: expected one of medmnist, folder, pairs, csv, niftiSlices, niftiPatches, subset, arrays, module, voc, boxCsv, coco, table, split, physionet2012, text, got "zip"',
  );
  assert.equal(
    await msg({ kind: 'medmnist', file: fixture.file, spilt: 'val' }),
    "dataset spec: kind 'medmnist': spilt: unknown option",
  );
  assert.equal(
    await msg({ kind: 'medmnist', file: fixture.file, split: 'dev' }),
    `dataset spec: kind 'medmnist': split: Invalid option: expected one of "train"|"val"|"test"`,
  );
  assert.equal(
    await msg({ kind: 'pairs', images: 'x' }),
    "dataset spec: kind 'pairs': masks: Invalid input: expected string, received undefined",
  );
  assert.equal(
    await msg({ kind: 'subset', of: { kind: 'medmnist', file: fixture.file }, indices: [90] }),
    'dataset spec: indices: 90 is outside 0..89',
  );
  assert.equal(
    await msg({ kind: 'subset', of: { kind: 'medmnist', file: fixture.file }, indices: [1], ids: ['1'] }),
    'dataset spec: subset: give one of indices or ids, not both',
  );
  assert.equal(
    await msg({ kind: 'subset', of: { kind: 'medmnist', file: fixture.file, spilt: 'val' } }),
    "dataset spec: kind 'subset': of.spilt: unknown option",
  );
  assert.equal(
    await msg({ kind: 'subset', of: { kind: 'zip' } }),
    `dataset spec: kind 'subset': of.kind: expected one of medmnist, folder, pairs, csv, niftiSlices, niftiPatches, subset, arrays, module, voc, boxCsv, coco, table, split, physionet2012, text, got "zip"`,
  );
});
