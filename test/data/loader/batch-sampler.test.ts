import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BatchSampler } from '../../../src/data/loader/index.js';

test('every sample appears exactly once per epoch, in batches of batchSize (last one smaller)', () => {
  const s = new BatchSampler({ length: 23, batchSize: 5, seed: 3 });
  assert.equal(s.batchCount, 5);
  for (const epoch of [0, 1, 7]) {
    const b = s.batches(epoch);
    assert.deepEqual(
      b.map((x) => x.length),
      [5, 5, 5, 5, 3],
    );
    assert.deepEqual(
      b.flat().sort((x, y) => x - y),
      [...Array(23).keys()],
    );
  }
  const d = new BatchSampler({ length: 23, batchSize: 5, dropLast: true });
  assert.equal(d.batches(0).length, 4);
});

test('order is reproducible per (seed, epoch), changes between epochs, and epoch e uses seed + e', () => {
  const a = new BatchSampler({ length: 50, batchSize: 8, seed: 10 });
  const b = new BatchSampler({ length: 50, batchSize: 8, seed: 10 });
  assert.deepEqual(a.batches(4), b.batches(4));
  assert.notDeepEqual(a.batches(0), a.batches(1));
  // A resumed run: seed 10 epoch 3 is the same order as seed 11 epoch 2 (seed + epoch).
  assert.deepEqual(a.order(3), new BatchSampler({ length: 50, batchSize: 8, seed: 11 }).order(2));
  assert.deepEqual(new BatchSampler({ length: 6, batchSize: 4, shuffle: false }).batches(5), [
    [0, 1, 2, 3],
    [4, 5],
  ]);
  assert.throws(() => new BatchSampler({ length: 5, batchSize: 0 }), { name: 'LoaderError' });
});
