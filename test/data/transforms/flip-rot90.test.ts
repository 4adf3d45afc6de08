import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Flip, RandFlip, RandRot90, Rng, Rot90 } from '../../../src/data/transforms/index.js';
import type { MedicalImage } from '../../../src/data/medical-image.js';
import { img2d, rowsOf } from './helpers.js';

const p = img2d([
  [1, 2, 3],
  [4, 5, 6],
]);

test('flip along W, H and both', () => {
  assert.deepEqual(rowsOf(new Flip({ axes: [1] }).apply({ image: p }).image as MedicalImage), [
    [3, 2, 1],
    [6, 5, 4],
  ]);
  assert.deepEqual(rowsOf(new Flip({ axes: [0] }).apply({ image: p }).image as MedicalImage), [
    [4, 5, 6],
    [1, 2, 3],
  ]);
  assert.deepEqual(rowsOf(new Flip({ axes: [0, 1] }).apply({ image: p }).image as MedicalImage), [
    [6, 5, 4],
    [3, 2, 1],
  ]);
});

test('flip keeps the pixel type of masks and moves every channel', () => {
  const m = { data: Uint8Array.from([0, 1, 1, 0, 0, 1]), shape: [1, 2, 3] };
  const c2 = img2d(
    [
      [1, 2],
      [3, 4],
    ],
    2,
  );
  const flipped = new Flip({ axes: [1], keys: [], masks: ['m'] }).apply({ m }).m as MedicalImage;
  assert.ok(flipped.data instanceof Uint8Array, 'mask stays uint8');
  assert.deepEqual(Array.from(flipped.data), [1, 1, 0, 1, 0, 0]);
  const out = new Flip({ axes: [1] }).apply({ image: c2 });
  assert.deepEqual(rowsOf(out.image as MedicalImage, 1), [
    [102, 101],
    [104, 103],
  ]);
});

test('3D flip of the depth axis reverses slices', () => {
  const vol = { data: Float32Array.from({ length: 8 }, (_, i) => i), shape: [1, 2, 2, 2] };
  const out = new Flip({ axes: [0] }).apply({ image: vol }).image as MedicalImage;
  assert.deepEqual(Array.from(out.data), [4, 5, 6, 7, 0, 1, 2, 3]);
});

test('rot90 on a non-square image: k=1 counter-clockwise like np.rot90, k=4 identity, k=-1 = k=3', () => {
  const r1 = new Rot90({ k: 1 }).apply({ image: p }).image as MedicalImage;
  assert.deepEqual(r1.shape, [1, 3, 2]);
  assert.deepEqual(rowsOf(r1), [
    [3, 6],
    [2, 5],
    [1, 4],
  ]);
  assert.deepEqual(rowsOf(new Rot90({ k: 4 }).apply({ image: p }).image as MedicalImage), rowsOf(p));
  assert.deepEqual(
    rowsOf(new Rot90({ k: -1 }).apply({ image: p }).image as MedicalImage),
    rowsOf(new Rot90({ k: 3 }).apply({ image: p }).image as MedicalImage),
  );
  assert.deepEqual(rowsOf(new Rot90({ k: 2 }).apply({ image: p }).image as MedicalImage), [
    [6, 5, 4],
    [3, 2, 1],
  ]);
});

test('random flips and rot90 are reproducible and move image and mask together', () => {
  const img = img2d([
    [1, 2, 3],
    [4, 5, 6],
    [7, 8, 9],
  ]);
  const seen = new Set<string>();
  for (let s = 0; s < 40; s++) {
    const t = s % 2 ? new RandFlip({ masks: ['mask'] }) : new RandRot90({ masks: ['mask'] });
    const a = t.apply({ image: img, mask: img }, Rng.seeded(s));
    const b = t.apply({ image: img, mask: img }, Rng.seeded(s));
    assert.deepEqual(Array.from((a.image as MedicalImage).data), Array.from((b.image as MedicalImage).data));
    assert.deepEqual(Array.from((a.image as MedicalImage).data), Array.from((a.mask as MedicalImage).data));
    seen.add(Array.from((a.image as MedicalImage).data).join(','));
  }
  // 4 flip combinations and 4 rotations share the identity and the 180° turn: 6 distinct results.
  assert.equal(seen.size, 6);
});
