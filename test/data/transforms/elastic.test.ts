import { test } from 'node:test';
import assert from 'node:assert/strict';
import sharp from 'sharp';
import {
  Compose,
  RandAffine,
  RandCrop,
  RandElastic,
  Resize,
  Rng,
  ToFloat,
  type Sample,
} from '../../../src/data/transforms/index.js';
import type { MedicalImage } from '../../../src/data/medical-image.js';
import { dataPath, needsData } from '../../helpers/shared-data.js';
import { blobMask, fromFn, valueSet } from './helpers.js';

test('elastic with alpha 0 is the identity; alpha > 0 moves pixels by at most a few pixels', () => {
  const image = fromFn(40, 40, (y, x) => y * 40 + x);
  const id = new RandElastic({ alpha: 0, sigma: 4 }).apply({ image }, Rng.seeded(1)).image as MedicalImage;
  assert.deepEqual(Array.from(id.data), Array.from(image.data));
  // Pixel value = its row, so after the (linear, border-clamped) warp the value is the source row it came
  // from; a smooth field with alpha 30 / sigma 5 displaces by a few pixels only.
  const rows = fromFn(40, 40, (y) => y);
  const moved = new RandElastic({ alpha: 30, sigma: 5, padding: 'border' }).apply({ image: rows }, Rng.seeded(1))
    .image as MedicalImage;
  assert.notDeepEqual(Array.from(moved.data), Array.from(rows.data));
  let maxShift = 0;
  for (let i = 0; i < moved.data.length; i++)
    maxShift = Math.max(maxShift, Math.abs(Math.floor(i / 40) - moved.data[i]));
  assert.ok(maxShift > 0.5 && maxShift < 8, `max vertical displacement ${maxShift}`);
});

test('elastic: masks stay binary, reproducible per seed, different across seeds; 3D works', () => {
  const mask = blobMask(48, 48);
  const image = fromFn(48, 48, (y, x) => Math.cos(y / 4) * x);
  const t = new RandElastic({ alpha: [20, 40], sigma: [4, 6], masks: ['mask'] });
  const a = t.apply({ image, mask }, Rng.seeded(3));
  assert.deepEqual(valueSet((a.mask as MedicalImage).data), [0, 1]);
  const b = t.apply({ image, mask }, Rng.seeded(3));
  assert.deepEqual(Array.from((a.image as MedicalImage).data), Array.from((b.image as MedicalImage).data));
  const c = t.apply({ image, mask }, Rng.seeded(4));
  assert.notDeepEqual(Array.from((a.image as MedicalImage).data), Array.from((c.image as MedicalImage).data));
  const vol = { data: Float32Array.from({ length: 6 * 8 * 8 }, (_, i) => (i % 3 === 0 ? 1 : 0)), shape: [1, 6, 8, 8] };
  const v = new RandElastic({ alpha: 10, sigma: 2, keys: [], masks: ['m'] }).apply({ m: vol }, Rng.seeded(1))
    .m as MedicalImage;
  assert.deepEqual(v.shape, [1, 6, 8, 8]);
  assert.deepEqual(valueSet(v.data), [0, 1]);
});

async function readGray(path: string): Promise<MedicalImage<Uint8Array>> {
  const { data, info } = await sharp(path).greyscale().raw().toBuffer({ resolveWithObject: true });
  return { data: new Uint8Array(data.buffer, data.byteOffset, data.length), shape: [1, info.height, info.width] };
}

/** Crop + affine + elastic + resize of an image and its {0, 255} label: the label must stay exactly binary. */
function checkPipelineKeepsLabelBinary(image: MedicalImage<Uint8Array>, label: MedicalImage<Uint8Array>): void {
  assert.deepEqual(valueSet(label.data), [0, 255]);
  const pipeline = new Compose([
    new RandCrop({ size: [96, 96], masks: ['label'], foreground: { key: 'label', p: 0.5 } }),
    new ToFloat({ scale: 1 / 255, masks: ['label'] }),
    new RandAffine({ masks: ['label'], rotate: 25, scale: 0.15, shear: 0.1, translate: 6, padding: 'border' }),
    new RandElastic({ masks: ['label'], alpha: 34, sigma: 4 }),
    new Resize({ size: [64, 64], masks: ['label'] }),
  ]);
  for (let s = 0; s < 4; s++) {
    const out: Sample = pipeline.apply({ image, label }, Rng.seeded(100).fork(s));
    const l = out.label as MedicalImage;
    assert.deepEqual(l.shape, [1, 64, 64]);
    assert.deepEqual(valueSet(l.data), [0, 1]);
    const im = out.image as MedicalImage;
    assert.ok(
      im.data.every((v) => v >= 0 && v <= 1),
      'intensities stay in [0,1]',
    );
  }
}

test('a synthetic 128x128 slice with a blob label: crop + affine + elastic + resize keep the label exactly binary', () => {
  // A {0, 255} label of two discs and an image brighter inside them, with a ramp so intensities vary.
  const side = 128;
  const label = { data: new Uint8Array(side * side), shape: [1, side, side] };
  const image = { data: new Uint8Array(side * side), shape: [1, side, side] };
  for (let y = 0; y < side; y++)
    for (let x = 0; x < side; x++) {
      const inside = (y - 40) ** 2 + (x - 50) ** 2 < 20 ** 2 || (y - 90) ** 2 + (x - 80) ** 2 < 15 ** 2;
      label.data[y * side + x] = inside ? 255 : 0;
      image.data[y * side + x] = (inside ? 150 : 30) + ((x + y) % 60);
    }
  checkPipelineKeepsLabelBinary(image, label);
});

test(
  'real ISBI EM slice and label: crop + affine + elastic + resize keep the label exactly binary',
  needsData('isbi2012-em'),
  async () => {
    checkPipelineKeepsLabelBinary(
      await readGray(dataPath('isbi2012-em', 'image', '0.png')),
      await readGray(dataPath('isbi2012-em', 'label', '0.png')),
    );
  },
);
