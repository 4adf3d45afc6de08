// The decoded-sample cache: a second read of a DRIVE case is served from memory, equal to the first, immune to
// writes into what an earlier read handed out, and bounded by its byte budget.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { createDataset, type PairsSpec } from '../../../src/data/datasets/index.ts';
import { DecodedCache } from '../../../src/data/datasets/decoded-cache.ts';
import type { DatasetSample } from '../../../src/data/datasets/dataset.ts';
import { DATA } from './helpers.ts';

const DRIVE = join(DATA, 'drive/training');
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
