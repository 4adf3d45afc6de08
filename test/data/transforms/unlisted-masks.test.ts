// A transform that moves pixels must not move the image and leave its mask behind: a sample with a `mask` (or
// `roi`) that the transform's `masks` option does not name is a one-line error naming the transform and the
// key, unless `masks` is set explicitly (`[]` means "no masks").
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createTransform, OneOf, RandFlip, Rng, type TransformSpec } from '../../../src/data/transforms/index.js';
import { TransformError } from '../../../src/data/transforms/transform.js';
import type { MedicalImage } from '../../../src/data/medical-image.js';
import { img2d, rowsOf } from './helpers.js';

const image = img2d([
  [1, 2, 3, 4],
  [5, 6, 7, 8],
  [9, 10, 11, 12],
]);
const mask = { data: Uint8Array.from([1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]), shape: [1, 3, 4] };

const spatial: Array<[TransformSpec, string]> = [
  [{ type: 'randFlip', p: 1 }, 'RandFlip'],
  [{ type: 'flip', axes: [1] }, 'Flip'],
  [{ type: 'randRot90' }, 'RandRot90'],
  [{ type: 'rot90', k: 1 }, 'Rot90'],
  [{ type: 'randAffine', rotate: [10, 20] }, 'RandAffine'],
  [{ type: 'affine', rotate: 15 }, 'Affine'],
  [{ type: 'randElastic', alpha: 2, sigma: 2 }, 'RandElastic'],
  [{ type: 'resize', size: [6, 8] }, 'Resize'],
  [{ type: 'centerCropOrPad', size: [2, 2] }, 'CenterCropOrPad'],
  [{ type: 'padTo', size: [4, 4] }, 'PadTo'],
  [{ type: 'randCrop', size: [2, 2] }, 'RandCrop'],
];

for (const [spec, who] of spatial)
  test(`${spec.type}: an unnamed mask is an error; "masks": [] leaves it; "masks": ["mask"] moves it`, () => {
    const rng = Rng.seeded(3);
    for (const key of ['mask', 'roi']) {
      const err = (() => {
        try {
          createTransform(spec).apply({ image, [key]: mask }, rng);
        } catch (e) {
          return e;
        }
        return assert.fail('expected an error');
      })();
      assert.ok(err instanceof TransformError);
      assert.equal(
        err.message,
        `${who}: the sample has a "${key}" that this transform would not move with the image; set "masks": ["${key}"] (or "masks": [] to leave it)`,
      );
    }
    const kept = createTransform({ ...spec, masks: [] } as TransformSpec).apply({ image, mask }, rng);
    assert.equal(kept.mask, mask);
    const moved = createTransform({ ...spec, masks: ['mask'] } as TransformSpec).apply({ image, mask }, rng);
    assert.deepEqual((moved.mask as MedicalImage).shape.slice(1), (moved.image as MedicalImage).shape.slice(1));
    // Without any mask in the sample nothing changes for the user.
    assert.ok(createTransform(spec).apply({ image }, rng).image);
  });

test('randFlip with "masks": ["mask"] flips the mask exactly as the image', () => {
  const out = new RandFlip({ axes: [1], p: 1, masks: ['mask'] }).apply({ image, mask }, Rng.seeded(0));
  assert.deepEqual(rowsOf(out.image as MedicalImage)[0], [4, 3, 2, 1]);
  assert.deepEqual(Array.from((out.mask as MedicalImage).data).slice(0, 4), [0, 0, 0, 1]);
});

test('wrapped with "p" or in oneOf, the check runs on every sample, also when the transform does not fire', () => {
  const rng = Rng.seeded(5);
  const never = createTransform({ type: 'randAffine', rotate: [10, 20], p: 0 } as TransformSpec);
  assert.throws(() => never.apply({ image, mask }, rng), {
    message:
      'RandAffine: the sample has a "mask" that this transform would not move with the image; set "masks": ["mask"] (or "masks": [] to leave it)',
  });
  // the image alone still passes through untouched
  assert.equal(never.apply({ image }, rng).image, image);
  const pick = new OneOf(
    [new RandFlip({ masks: ['mask'] }), createTransform({ type: 'resize', size: [6, 8] })],
    [1, 0],
  );
  assert.throws(() => pick.apply({ image, mask }, rng), /^TransformError|Resize: the sample has a "mask"/);
});
