// The loader's cache of a pipeline's deterministic prefix (prefix-cache.ts): with a preloaded dataset the leading
// deterministic transforms (DRIVE: green channel + CLAHE) run once per sample, not once per patch, and the batches
// are bit-identical to the uncached path (same seed) with 0, 1 or 2 workers. A generated DRIVE-like fixture runs
// without ../shared; the real DRIVE cases with configs/drive.json's own pipelines run where ../shared is present.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DatasetSpec, PairsSpec } from '../../../src/data/datasets/index.js';
import { Loader, type Batch } from '../../../src/data/loader/index.js';
import { splitDeterministicPrefix } from '../../../src/data/loader/prefix-cache.js';
import { Compose, createTransform, type Sample, type TransformSpec } from '../../../src/data/transforms/index.js';
import { writeDriveLike } from '../../fixtures/synthetic-pairs.js';
import { dataPath, needsData } from '../../helpers/shared-data.js';

const driveConfig = JSON.parse(readFileSync(new URL('../../../configs/drive.json', import.meta.url), 'utf8')) as {
  transforms: { train: TransformSpec[]; eval: TransformSpec[] };
};

// DRIVE's training pipeline at fixture scale: 2 deterministic steps, then crops and augmentation.
const trainPipeline: TransformSpec[] = [
  { type: 'selectChannels', channels: [1] },
  { type: 'clahe', clipLimit: 2, tiles: [4, 4] },
  { type: 'randCrop', size: [24, 24], masks: ['mask', 'roi'], foreground: { key: 'mask', p: 0.5 } },
  { type: 'toFloat', scale: 1 / 255 },
  { type: 'randGamma', gamma: [0.8, 1.25], p: 0.3 },
  { type: 'normalizeIntensity', mean: 0.5, std: 0.25 },
  { type: 'randFlip', axes: [0, 1], masks: ['mask', 'roi'] },
  { type: 'randRot90', masks: ['mask', 'roi'] },
  { type: 'randAffine', rotate: [-15, 15], scale: [-0.1, 0.1], masks: ['mask', 'roi'], p: 0.5 },
];

const fixtureDir = mkdtempSync(join(tmpdir(), 'medattn-prefix-cache-'));
const fixture = writeDriveLike(fixtureDir, [21, 22, 23], 50, 47);
const pairs = (preload: boolean): PairsSpec => ({
  kind: 'pairs',
  images: fixture.images,
  masks: fixture.masks,
  roi: fixture.roi,
  preload,
});
const repeated = (of: DatasetSpec): DatasetSpec => ({ kind: 'subset', of, repeat: 4 });

/** Every batch of `epochs`, as raw bytes per field (bit-exact comparison). */
async function batches(
  dataset: DatasetSpec,
  transforms: TransformSpec[] | Compose,
  workers: number,
  epochs: number[],
  batchSize = 5,
): Promise<{ index: number; indices: number[]; fields: Record<string, { shape: number[]; bytes: Buffer }> }[]> {
  const loader = await Loader.create({ dataset, transforms, batchSize, shuffle: true, seed: 7, workers });
  const out = [];
  try {
    for (const e of epochs) for await (const b of loader.epoch(e)) out.push(raw(b));
  } finally {
    await loader.close();
  }
  return out;
}

function raw(b: Batch) {
  return {
    index: b.index,
    indices: Array.from(b.indices),
    fields: Object.fromEntries(
      Object.entries(b.fields).map(([k, f]) => [
        k,
        { shape: f.shape, bytes: Buffer.from(f.data.buffer, f.data.byteOffset, f.data.byteLength) },
      ]),
    ),
  };
}

test('the pipeline is cut after its leading deterministic transforms; `p` or a random step ends the prefix', () => {
  const cut = (spec: TransformSpec[]) => {
    const t = createTransform(spec) as Compose;
    const { prefix, rest } = splitDeterministicPrefix(t);
    return [prefix ? (prefix as Compose).transforms.length : 0, rest === undefined];
  };
  assert.deepEqual(cut(driveConfig.transforms.train), [2, false]); // selectChannels, clahe | randCrop ...
  assert.deepEqual(cut(driveConfig.transforms.eval), [4, true]); // all deterministic: nothing left per batch
  assert.deepEqual(cut([{ type: 'randFlip' }, { type: 'toFloat' }]), [0, false]);
  assert.deepEqual(
    cut([
      { type: 'toFloat', p: 1 },
      { type: 'resize', size: [8, 8] },
    ]),
    [0, false],
  );
  assert.deepEqual(cut([{ type: 'toFloat' }, { type: 'compose', transforms: [{ type: 'flip', axes: [0] }] }]), [
    2,
    true,
  ]);
  assert.deepEqual(cut([{ type: 'toFloat' }, { type: 'oneOf', transforms: [{ type: 'flip', axes: [0] }] }]), [
    1,
    false,
  ]);
  const single = splitDeterministicPrefix(createTransform({ type: 'clahe' }));
  assert.ok(single.prefix && single.rest === undefined);
  const none = splitDeterministicPrefix(createTransform({ type: 'randFlip' }));
  assert.ok(none.prefix === undefined && none.rest);
});

test('fixture: preloaded batches are bit-identical to the uncached ones, for 0, 1 and 2 workers', async () => {
  const reference = await batches(repeated(pairs(false)), trainPipeline, 0, [0, 1]);
  assert.equal(reference.length, 6); // 12 samples (3 cases x 4), batches of 5 incl. a short one, 2 epochs
  assert.deepEqual(reference[0].fields.image.shape, [5, 1, 24, 24]);
  for (const workers of [0, 1, 2]) {
    const cached = await batches(repeated(pairs(true)), trainPipeline, workers, [0, 1]);
    assert.deepEqual(cached, reference, `workers ${workers}`);
  }
  // The evaluation pipeline is deterministic throughout: every step is cached, whole images come out.
  const evalPipeline = trainPipeline.filter((t) => !t.type.startsWith('rand'));
  const evalRef = await batches(pairs(false), evalPipeline, 0, [0], 1);
  assert.deepEqual(evalRef[0].fields.image.shape, [1, 1, 50, 47]);
  assert.deepEqual(await batches(pairs(true), evalPipeline, 1, [0], 1), evalRef);
});

test('fixture: the prefix runs once per case with preload (repeats share it), once per sample without', async () => {
  let calls = 0;
  const counted = () =>
    new Compose([
      { deterministic: true, apply: (s: Sample) => (calls++, s) },
      ...(createTransform(trainPipeline) as Compose).transforms,
    ]);
  calls = 0;
  const cached = await batches(repeated(pairs(true)), counted(), 0, [0, 1]);
  assert.equal(calls, 3); // 3 cases, 4 repeats each, 2 epochs
  calls = 0;
  const uncached = await batches(repeated(pairs(false)), counted(), 0, [0, 1]);
  assert.equal(calls, 24);
  assert.deepEqual(cached, uncached);
});

test(
  'DRIVE: configs/drive.json pipelines give the same batches cached and uncached',
  needsData('drive', 'training'),
  async () => {
    const root = dataPath('drive', 'training');
    const drive = (ids: string[], preload: boolean): PairsSpec => ({
      kind: 'pairs',
      images: join(root, 'images'),
      masks: join(root, '1st_manual'),
      roi: join(root, 'mask'),
      ids,
      preload,
    });
    const train = (preload: boolean): DatasetSpec => ({ kind: 'subset', of: drive(['21', '22'], preload), repeat: 2 });
    const reference = await batches(train(false), driveConfig.transforms.train, 0, [3], 4);
    assert.deepEqual(reference[0].fields.image.shape, [4, 1, 96, 96]);
    assert.deepEqual(await batches(train(true), driveConfig.transforms.train, 0, [3], 4), reference);
    assert.deepEqual(await batches(train(true), driveConfig.transforms.train, 2, [3], 4), reference);
    const evalRef = await batches(drive(['36'], false), driveConfig.transforms.eval, 0, [0], 1);
    assert.deepEqual(evalRef[0].fields.image.shape, [1, 1, 584, 565]);
    assert.deepEqual(await batches(drive(['36'], true), driveConfig.transforms.eval, 1, [0], 1), evalRef);
  },
);
