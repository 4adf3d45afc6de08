// The decoded-sample cache: a second read of a DRIVE case is served from memory, equal to the first, immune to
// writes into what an earlier read handed out, and bounded by its byte budget; `preload` fills it up front.
// Cases 21 and 22 in DRIVE's layout and size, written by the test (Pillow), so it runs without ../shared.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createDataset, type PairsSpec } from '../../../src/data/datasets/index.js';
import { DecodedCache } from '../../../src/data/datasets/decoded-cache.js';
import { Loader } from '../../../src/data/loader/index.js';
import type { DatasetSample } from '../../../src/data/datasets/dataset.js';
import { writeDriveLike } from '../../fixtures/synthetic-pairs.js';

const DRIVE = mkdtempSync(join(tmpdir(), 'medattn-drive-like-'));
writeDriveLike(DRIVE, [21, 22], 584, 565);
const spec: PairsSpec = {
  kind: 'pairs',
  images: join(DRIVE, 'images'),
  masks: join(DRIVE, '1st_manual'),
  roi: join(DRIVE, 'mask'),
  ids: ['21', '22'],
};

test('a cached DRIVE case equals a fresh decode, and writing into a handed-out copy does not reach the cache', async () => {
  const ds = await createDataset(spec);
  const first = await ds.get(0);
  const firstImage = first.image.data.slice();
  first.image.data.fill(0);
  first.mask!.data.fill(7);
  const second = await ds.get(0);
  assert.deepEqual(second.image.data, firstImage);
  const fresh = await (await createDataset(spec)).get(0);
  assert.deepEqual(second.image.data, fresh.image.data);
  assert.deepEqual(second.mask!.data, fresh.mask!.data);
  assert.deepEqual(second.roi!.data, fresh.roi!.data);
  assert.deepEqual(second.image.shape, [3, 584, 565]);
});

test('the cache decodes once per index and keeps no more than its budget', async () => {
  const sample = (n: number): DatasetSample => ({
    id: String(n),
    image: { data: new Float32Array(n), shape: [1, 1, n] },
  });
  const cache = new DecodedCache(1000);
  let decodes = 0;
  const decode = (n: number) => async () => {
    decodes++;
    return sample(n);
  };
  await cache.get(0, decode(100)); // 400 bytes, kept
  await cache.get(0, decode(100));
  assert.equal(decodes, 1);
  await cache.get(1, decode(200)); // 800 more bytes: over budget, not kept
  await cache.get(1, decode(200));
  assert.equal(decodes, 3);
  assert.equal(cache.size, 400);
  assert.equal(new DecodedCache(0).size, 0);
});

test('fill decodes each missing index once, skips what decode leaves out, and stops at the budget', async () => {
  const cache = new DecodedCache(1000);
  const decoded: number[] = [];
  const decode = async (i: number): Promise<DatasetSample | undefined> => {
    decoded.push(i);
    return i === 2 ? undefined : { id: String(i), image: { data: new Float32Array(100), shape: [1, 10, 10] } };
  };
  await cache.get(0, async () => (await decode(0))!);
  await cache.fill([0, 1, 1, 2, 3, 4, 5], decode); // 400 bytes each: 0 and 1 fit, 2 is left out, 3 overflows
  assert.deepEqual(decoded.slice().sort(), [0, 1, 2, 3, 4]); // 4 was already in flight when 3 filled the budget
  assert.equal(cache.size, 800);
  let again = 0;
  await cache.get(1, async () => (again++, { id: '1', image: { data: new Float32Array(100), shape: [1, 10, 10] } }));
  assert.equal(again, 0);
});

test('preload: the cases are decoded when the dataset is preloaded (reading on after the files are gone)', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'medattn-preload-'));
  for (const sub of ['images', '1st_manual', 'mask']) {
    mkdirSync(join(dir, sub));
    for (const f of readdirSync(join(DRIVE, sub)).filter((f) => /^2[12]_/.test(f)))
      copyFileSync(join(DRIVE, sub, f), join(dir, sub, f));
  }
  const local = { ...spec, images: join(dir, 'images'), masks: join(dir, '1st_manual'), roi: join(dir, 'mask') };
  const lazy = await createDataset(local);
  const eager = await createDataset({ kind: 'subset', of: { ...local, preload: true }, ids: ['22'], repeat: 3 });
  await lazy.preload!();
  await eager.preload!();
  rmSync(dir, { recursive: true });
  const fresh = await (await createDataset(spec)).get(1);
  const cached = await eager.get(2);
  assert.equal(cached.id, '22');
  assert.deepEqual(cached.image.data, fresh.image.data);
  assert.deepEqual(cached.mask!.data, fresh.mask!.data);
  await assert.rejects(lazy.get(0), /cannot read file/); // without preload nothing was decoded
});

test('preload finds an unreadable file before training: a one-line error naming it, or listed with skipBad', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'medattn-preload-bad-'));
  for (const sub of ['images', '1st_manual']) mkdirSync(join(dir, sub));
  copyFileSync(join(DRIVE, 'images/21_training.tif'), join(dir, 'images/21_training.tif'));
  copyFileSync(join(DRIVE, '1st_manual/21_manual1.gif'), join(dir, '1st_manual/21_manual1.gif'));
  copyFileSync(join(DRIVE, 'images/22_training.tif'), join(dir, 'images/22_training.tif'));
  writeFileSync(join(dir, '1st_manual/22_manual1.gif'), 'GIF89a not really');
  const local: PairsSpec = {
    kind: 'pairs',
    images: join(dir, 'images'),
    masks: join(dir, '1st_manual'),
    preload: true,
  };
  await assert.rejects(
    (await createDataset(local)).preload!(),
    (e: Error) => e.message.includes('22_manual1.gif') && !e.message.includes('\n'),
  );
  const skipping = await createDataset({ ...local, skipBad: true });
  await skipping.preload!();
  assert.deepEqual(
    skipping.skipped().map((s) => s.file),
    [join(dir, '1st_manual/22_manual1.gif')],
  );
  assert.equal((await skipping.get(0)).id, '21');
  rmSync(dir, { recursive: true });
});

test('a loader preloads when it opens the dataset (in its worker): batches come after the files are gone', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'medattn-preload-loader-'));
  for (const sub of ['images', '1st_manual']) {
    mkdirSync(join(dir, sub));
    for (const f of readdirSync(join(DRIVE, sub)).filter((f) => /^21_/.test(f)))
      copyFileSync(join(DRIVE, sub, f), join(dir, sub, f));
  }
  const loader = await Loader.create({
    dataset: { kind: 'pairs', images: join(dir, 'images'), masks: join(dir, '1st_manual'), preload: true },
    batchSize: 1,
    workers: 1,
  });
  rmSync(dir, { recursive: true });
  const batches = [];
  for await (const b of loader.epoch(0)) batches.push(b);
  await loader.close();
  assert.equal(batches.length, 1);
  assert.deepEqual(batches[0].fields.image.shape, [1, 3, 584, 565]);
});
