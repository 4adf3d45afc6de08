import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Affine, RandAffine, Rng, Rot90, type Sample } from '../../../src/data/transforms/index.js';
import type { MedicalImage } from '../../../src/data/medical-image.js';
import { assertClose, blobMask, fromFn, img2d, rowsOf, valueSet } from './helpers.js';

const pattern = img2d([
  [1, 2, 3, 4],
  [5, 6, 7, 8],
  [9, 10, 11, 12],
  [13, 14, 15, 16],
]);

test('affine rotate +90 equals rot90 (np.rot90) of a known pattern, bilinear and nearest', () => {
  // np.rot90 of the pattern: the last column becomes the first row.
  const expected = [
    [4, 8, 12, 16],
    [3, 7, 11, 15],
    [2, 6, 10, 14],
    [1, 5, 9, 13],
  ];
  const s = { image: pattern, mask: pattern };
  const out = new Affine({ rotate: 90, masks: ['mask'] }).apply(s);
  assert.deepEqual(rowsOf(out.image as MedicalImage), expected);
  assert.deepEqual(rowsOf(out.mask as MedicalImage), expected);
  const r = new Rot90({ k: 1, masks: ['mask'] }).apply(s);
  assert.deepEqual(rowsOf(r.image as MedicalImage), expected);
  assert.deepEqual(rowsOf(r.mask as MedicalImage), expected);
  // -90 is three quarter turns; 180 is two.
  assert.deepEqual(
    rowsOf(new Affine({ rotate: -90 }).apply({ image: pattern }).image as MedicalImage),
    rowsOf(new Rot90({ k: 3 }).apply({ image: pattern }).image as MedicalImage),
  );
  assert.deepEqual(
    rowsOf(new Affine({ rotate: 180 }).apply({ image: pattern }).image as MedicalImage),
    rowsOf(new Rot90({ k: 2 }).apply({ image: pattern }).image as MedicalImage),
  );
});

test('affine zoom x2 about the centre samples the hand-computed positions', () => {
  // Pixel (y, x) = 10y + x is linear, so bilinear reproduces it exactly. Zoom 2 about c = 1.5 reads source
  // position c + (out - c) / 2 = 0.75 + out / 2 on each axis.
  const lin = fromFn(4, 4, (y, x) => 10 * y + x);
  const out = new Affine({ scale: 2 }).apply({ image: lin }).image as MedicalImage;
  const pos = [0.75, 1.25, 1.75, 2.25];
  assert.deepEqual(
    rowsOf(out),
    pos.map((py) => pos.map((px) => 10 * py + px)),
  );
  // Zoom 0.5 reads 1.5 + 2(out - 1.5) = -1.5, 0.5, 2.5, 4.5: outside pixels are 0 with zero padding.
  const small = new Affine({ scale: 0.5 }).apply({ image: lin }).image as MedicalImage;
  assert.deepEqual(rowsOf(small), [
    [0, 0, 0, 0],
    [0, 5.5, 7.5, 0],
    [0, 25.5, 27.5, 0],
    [0, 0, 0, 0],
  ]);
  // Border padding clamps to the edge instead: position -1.5 reads column 0, 4.5 reads column 3.
  const border = new Affine({ scale: 0.5, padding: 'border' }).apply({ image: lin }).image as MedicalImage;
  assert.deepEqual(rowsOf(border)[0], [0, 0.5, 2.5, 3]);
});

test('affine shift by integer pixels equals a roll with zero fill', () => {
  const H = 5;
  const W = 6;
  const src = fromFn(H, W, (y, x) => 1 + y * W + x);
  for (const [ty, tx] of [
    [1, 2],
    [-2, 1],
    [0, -3],
  ]) {
    const out = new Affine({ translate: [ty, tx] }).apply({ image: src }).image as MedicalImage;
    const expected = fromFn(H, W, (y, x) => {
      const sy = y - ty;
      const sx = x - tx;
      return sy >= 0 && sy < H && sx >= 0 && sx < W ? 1 + sy * W + sx : 0;
    });
    assert.deepEqual(Array.from(out.data), Array.from(expected.data), `shift ${ty},${tx}`);
  }
});

test('shear moves each row by its shear coefficient times its offset from the centre', () => {
  const lin = fromFn(3, 5, (_y, x) => x);
  // x += 1·(y - c_y) with c_y = 1: row 0 reads x + 1, row 2 reads x - 1 (inverse of the forward shear).
  const out = new Affine({ shear: [0, 1] }).apply({ image: lin }).image as MedicalImage;
  assert.deepEqual(rowsOf(out), [
    [1, 2, 3, 4, 0],
    [0, 1, 2, 3, 4],
    [0, 0, 1, 2, 3],
  ]);
});

test('affine keeps channels separate and metadata', () => {
  const two = img2d(
    [
      [1, 2],
      [3, 4],
    ],
    2,
  );
  const out = new Affine({ rotate: 90 }).apply({ image: { ...two, spacing: [0.5, 0.5] } }).image as MedicalImage;
  assert.deepEqual(rowsOf(out, 0), [
    [2, 4],
    [1, 3],
  ]);
  assert.deepEqual(rowsOf(out, 1), [
    [102, 104],
    [101, 103],
  ]);
  assert.deepEqual(out.spacing, [0.5, 0.5]);
});

test('3D: rotation about axis 0 rotates every slice like 2D; about axis 1 equals rot90 in the (z, x) plane', () => {
  const D = 3;
  const H = 3;
  const W = 3;
  const data = Float32Array.from({ length: D * H * W }, (_, i) => i + 1);
  const vol = { data, shape: [1, D, H, W] };
  const a0 = new Affine({ rotate: [90, 0, 0] }).apply({ image: vol }).image as MedicalImage;
  assert.deepEqual(
    Array.from(a0.data),
    Array.from((new Rot90({ k: 1, axes: [1, 2] }).apply({ image: vol }).image as MedicalImage).data),
  );
  const a1 = new Affine({ rotate: [0, 90, 0] }).apply({ image: vol }).image as MedicalImage;
  assert.deepEqual(
    Array.from(a1.data),
    Array.from((new Rot90({ k: 1, axes: [0, 2] }).apply({ image: vol }).image as MedicalImage).data),
  );
  const a2 = new Affine({ rotate: [0, 0, 90] }).apply({ image: vol }).image as MedicalImage;
  assert.deepEqual(
    Array.from(a2.data),
    Array.from((new Rot90({ k: 1, axes: [0, 1] }).apply({ image: vol }).image as MedicalImage).data),
  );
  // Trilinear zoom of a linear volume is exact.
  const lin = {
    data: Float32Array.from({ length: 64 }, (_, i) => 16 * Math.floor(i / 16) + 4 * (Math.floor(i / 4) % 4) + (i % 4)),
    shape: [1, 4, 4, 4],
  };
  const z = new Affine({ scale: 2 }).apply({ image: lin }).image as MedicalImage;
  const pos = [0.75, 1.25, 1.75, 2.25];
  assertClose(
    z.data,
    pos.flatMap((pz) => pos.flatMap((py) => pos.map((px) => 16 * pz + 4 * py + px))),
  );
});

test('masks stay binary under random affine (nearest), images are interpolated', () => {
  const mask = blobMask(48, 40);
  const image = fromFn(48, 40, (y, x) => Math.sin(x / 5) + y / 48);
  const t = new RandAffine({ masks: ['mask'], rotate: 30, scale: 0.2, shear: 0.2, translate: 5 });
  let interpolated = false;
  for (let i = 0; i < 10; i++) {
    const out = t.apply({ image, mask }, Rng.seeded(i));
    assert.deepEqual(valueSet((out.mask as MedicalImage).data), [0, 1]);
    const inputValues = new Set(image.data);
    if ((out.image as MedicalImage).data.some((v) => v !== 0 && !inputValues.has(v))) interpolated = true;
  }
  assert.ok(interpolated, 'bilinear should create values that are not in the input');
});

test('random affine is reproducible per seed and differs between seeds', () => {
  const image = fromFn(32, 32, (y, x) => (x * 7 + y * 3) % 11);
  const t = new RandAffine({
    rotate: 20,
    scale: 0.1,
    translate: [
      [-3, 3],
      [-2, 2],
    ],
  });
  const run = (seed: number): number[] =>
    Array.from(((t.apply({ image }, Rng.seeded(seed)) as Sample).image as MedicalImage).data);
  assert.deepEqual(run(1), run(1));
  assert.notDeepEqual(run(1), run(2));
  // The input is never modified.
  assert.deepEqual(Array.from(image.data), Array.from(fromFn(32, 32, (y, x) => (x * 7 + y * 3) % 11).data));
});

test('affine rejects a missing key and a mismatched mask with a TransformError', () => {
  assert.throws(() => new Affine({ rotate: 10 }).apply({ img: pattern }), {
    name: 'TransformError',
    message: /"image"/,
  });
  assert.throws(() => new Affine({ masks: ['mask'] }).apply({ image: pattern, mask: fromFn(3, 3, () => 0) }), {
    name: 'TransformError',
  });
});
