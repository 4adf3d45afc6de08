import { test } from 'node:test';
import assert from 'node:assert/strict';
import { collate } from '../../../src/data/loader/index.js';

test('collate stacks images into one contiguous [N,C,H,W] Float32Array and labels into Int32Array', () => {
  const s = (i: number) => ({
    image: { data: Float32Array.from([i, i + 0.5, i + 1, i + 1.5]), shape: [1, 2, 2] },
    mask: { data: Uint8Array.from([1, 0, 0, i % 2]), shape: [1, 2, 2] },
    label: i,
    weight: i / 2,
    target: [i, 1 - i],
    id: `case-${i}`,
  });
  const b = collate([s(0), s(1), s(2)], [7, 3, 9], 2, 5);
  assert.deepEqual(b.fields.image.shape, [3, 1, 2, 2]);
  assert.ok(b.fields.image.data instanceof Float32Array, 'images are float32');
  assert.deepEqual(Array.from(b.fields.image.data), [0, 0.5, 1, 1.5, 1, 1.5, 2, 2.5, 2, 2.5, 3, 3.5]);
  assert.ok(b.fields.mask.data instanceof Float32Array, 'masks are float32');
  assert.deepEqual(Array.from(b.fields.mask.data), [1, 0, 0, 0, 1, 0, 0, 1, 1, 0, 0, 0]);
  assert.ok(b.fields.label.data instanceof Int32Array, 'integer labels are int32');
  assert.deepEqual(Array.from(b.fields.label.data), [0, 1, 2]);
  assert.ok(b.fields.weight.data instanceof Float32Array, 'fractional values are float32');
  assert.deepEqual(b.fields.target.shape, [3, 2]);
  assert.equal(b.fields.id, undefined);
  assert.deepEqual(Array.from(b.indices), [7, 3, 9]);
  assert.equal(b.epoch, 2);
  assert.equal(b.index, 5);
});

test('collate names the sample and the field when shapes differ', () => {
  const a = { image: { data: new Float32Array(4), shape: [1, 2, 2] } };
  const c = { image: { data: new Float32Array(6), shape: [1, 2, 3] } };
  assert.throws(() => collate([a, c], [0, 4]), {
    name: 'LoaderError',
    message: /sample 4 field "image" has shape \[1,2,3\]/,
  });
});
