import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CenterCropOrPad, PadTo, RandCrop, Rng } from '../../../src/data/transforms/index.js';
import type { MedicalImage } from '../../../src/data/medical-image.js';
import { fromFn, img2d, rowsOf } from './helpers.js';

const p = fromFn(4, 5, (y, x) => 1 + 5 * y + x);

test('center crop takes the middle (odd extra pixel after), center pad adds zeros around', () => {
  assert.deepEqual(rowsOf(new CenterCropOrPad({ size: [2, 2] }).apply({ image: p }).image as MedicalImage), [
    [7, 8],
    [12, 13],
  ]);
  const padded = new CenterCropOrPad({ size: [4, 4] }).apply({ image: img2d([[1, 2]]) }).image as MedicalImage;
  assert.deepEqual(rowsOf(padded), [
    [0, 0, 0, 0],
    [0, 1, 2, 0],
    [0, 0, 0, 0],
    [0, 0, 0, 0],
  ]);
  // Mixed: crop W 5 -> 3, pad H 4 -> 6.
  const mixed = new CenterCropOrPad({ size: [6, 3] }).apply({ image: p }).image as MedicalImage;
  assert.deepEqual(rowsOf(mixed), [
    [0, 0, 0],
    [2, 3, 4],
    [7, 8, 9],
    [12, 13, 14],
    [17, 18, 19],
    [0, 0, 0],
  ]);
});

test('PadTo pads only small axes and keeps the pixel type', () => {
  const u8 = { data: Uint8Array.from([1, 2, 3, 4, 5, 6]), shape: [1, 1, 6] };
  const out = new PadTo({ size: [3, 4] }).apply({ image: u8 }).image as MedicalImage;
  assert.ok(out.data instanceof Uint8Array, 'uint8 kept');
  assert.deepEqual(out.shape, [1, 3, 6]);
  assert.deepEqual(rowsOf(out)[1], [1, 2, 3, 4, 5, 6]);
});

test('random crop: every window is a valid sub-image, reproducible, masks aligned', () => {
  const seen = new Set<string>();
  for (let s = 0; s < 30; s++) {
    const out = new RandCrop({ size: [2, 3], masks: ['mask'] }).apply({ image: p, mask: p }, Rng.seeded(s));
    const r = rowsOf(out.image as MedicalImage);
    assert.deepEqual(r, rowsOf(out.mask as MedicalImage));
    const y0 = Math.floor((r[0][0] - 1) / 5);
    const x0 = (r[0][0] - 1) % 5;
    assert.ok(y0 <= 2 && x0 <= 2, `window start ${y0},${x0}`);
    assert.deepEqual(
      r,
      [0, 1].map((dy) => [0, 1, 2].map((dx) => 1 + 5 * (y0 + dy) + x0 + dx)),
    );
    seen.add(`${y0},${x0}`);
    const again = new RandCrop({ size: [2, 3], masks: ['mask'] }).apply({ image: p, mask: p }, Rng.seeded(s));
    assert.deepEqual(rowsOf(again.image as MedicalImage), r);
  }
  assert.equal(seen.size, 9, 'all 3x3 window positions occur');
});

test('foreground-biased crop with p=1 always contains foreground; p=0 mostly does not', () => {
  const H = 64;
  const W = 64;
  const roi = fromFn(H, W, (y, x) => (y === 50 && x === 7 ? 1 : 0));
  const image = fromFn(H, W, (y, x) => y + x);
  const hits = (p: number): number => {
    let n = 0;
    for (let s = 0; s < 50; s++) {
      const out = new RandCrop({ size: [8, 8], masks: ['roi'], foreground: { key: 'roi', p } }).apply(
        { image, roi },
        Rng.seeded(s),
      );
      if ((out.roi as MedicalImage).data.some((v) => v > 0)) n++;
    }
    return n;
  };
  assert.equal(hits(1), 50);
  assert.ok(hits(0) < 10, 'uniform crops rarely hit a single pixel');
});

test('3D center crop', () => {
  const vol = { data: Float32Array.from({ length: 27 }, (_, i) => i), shape: [1, 3, 3, 3] };
  const out = new CenterCropOrPad({ size: [1, 1, 1] }).apply({ image: vol }).image as MedicalImage;
  assert.deepEqual(Array.from(out.data), [13]);
});
