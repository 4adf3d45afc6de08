// BatchSampler shards (data-parallel training): disjoint, covering, reshuffled per epoch from the seed, and
// batch k of R ranks x B samples is batch k of one process x R*B samples.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BatchSampler } from '../../src/data/loader/batch-sampler.js';

test('two shards of 10 samples are disjoint, cover the epoch and differ between epochs', () => {
  const shards = [0, 1].map(
    (rank) => new BatchSampler({ length: 10, batchSize: 2, seed: 7, shard: { rank, count: 2 } }),
  );
  const e0 = shards.map((s) => s.order(0));
  assert.deepEqual(
    e0.map((o) => o.length),
    [5, 5],
  );
  assert.deepEqual(
    [...e0[0], ...e0[1]].sort((a, b) => a - b),
    [0, 1, 2, 3, 4, 5, 6, 7, 8, 9],
  );
  assert.notDeepEqual(shards[0].order(1), e0[0]);
  const whole = new BatchSampler({ length: 10, batchSize: 4, seed: 7 }).order(0);
  assert.deepEqual(e0[0], [whole[0], whole[2], whole[4], whole[6], whole[8]]);
  assert.deepEqual(e0[1], [whole[1], whole[3], whole[5], whole[7], whole[9]]);
});

test('an epoch that does not divide is padded by wrapping, so every rank takes the same steps', () => {
  const shards = [0, 1, 2].map(
    (rank) => new BatchSampler({ length: 7, batchSize: 1, shuffle: false, shard: { rank, count: 3 } }),
  );
  assert.deepEqual(
    shards.map((s) => s.order(0)),
    [
      [0, 3, 6],
      [1, 4, 0],
      [2, 5, 1],
    ],
  );
  assert.deepEqual(
    shards.map((s) => s.batchCount),
    [3, 3, 3],
  );
});

test('batch k on 2 ranks x 3 holds batch k of 1 process x 6', () => {
  const one = new BatchSampler({ length: 24, batchSize: 6, seed: 1, dropLast: true }).batches(2);
  const two = [0, 1].map((rank) =>
    new BatchSampler({ length: 24, batchSize: 3, seed: 1, dropLast: true, shard: { rank, count: 2 } }).batches(2),
  );
  for (let k = 0; k < one.length; k++)
    assert.deepEqual(
      [...two[0][k], ...two[1][k]].sort((a, b) => a - b),
      [...one[k]].sort((a, b) => a - b),
    );
});

test('a shard outside the group is one line', () => {
  assert.throws(
    () => new BatchSampler({ length: 4, batchSize: 1, shard: { rank: 2, count: 2 } }),
    /BatchSampler: shard must have 0 <= rank < count, got rank 2 of 2/,
  );
});
