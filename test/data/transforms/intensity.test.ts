import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  GaussianBlur,
  NormalizeIntensity,
  RandBrightness,
  RandContrast,
  RandGamma,
  RandGaussianBlur,
  RandGaussianNoise,
  Rng,
  ScaleIntensityPercentiles,
  ScaleIntensityRange,
  ToFloat,
  Window,
} from '../../../src/data/transforms/index.js';
import type { MedicalImage } from '../../../src/data/medical-image.js';
import { assertClose, fromFn, img2d } from './helpers.js';

const data = (s: Record<string, unknown>, k = 'image'): number[] => Array.from((s[k] as MedicalImage).data);

test('normalize with fixed mean/std, per channel', () => {
  const two = { data: Float32Array.from([1, 2, 3, 4, 10, 20, 30, 40]), shape: [2, 2, 2] };
  const out = new NormalizeIntensity({ mean: [2, 20], std: [2, 10] }).apply({ image: two });
  assertClose(data(out), [-0.5, 0, 0.5, 1, -1, 0, 1, 2]);
});

test('z-score: whole image, per channel, non-zero only, and constant images', () => {
  // [1,2,3,4]: mean 2.5, population std sqrt(1.25).
  const s = Math.sqrt(1.25);
  const one = img2d([
    [1, 2],
    [3, 4],
  ]);
  assertClose(data(new NormalizeIntensity().apply({ image: one })), [-1.5 / s, -0.5 / s, 0.5 / s, 1.5 / s]);
  // Two channels [1,2,3,4] and [101..104]: channel-wise gives the same z-scores in both.
  const two = img2d(
    [
      [1, 2],
      [3, 4],
    ],
    2,
  );
  assertClose(
    data(new NormalizeIntensity({ channelWise: true }).apply({ image: two })),
    [-1.5, -0.5, 0.5, 1.5, -1.5, -0.5, 0.5, 1.5].map((v) => v / s),
  );
  // Non-zero: stats of [2, 4] (mean 3, std 1), zeros stay 0.
  assertClose(data(new NormalizeIntensity({ nonzero: true }).apply({ image: img2d([[0, 2, 0, 4]]) })), [0, -1, 0, 1]);
  assertClose(data(new NormalizeIntensity().apply({ image: img2d([[5, 5, 5]]) })), [0, 0, 0]);
  assert.throws(() => new NormalizeIntensity({ mean: 1 }), { name: 'TransformError' });
});

test('scale intensity range, window and percentiles', () => {
  const ct = img2d([[-1000, -600, 150, 1000, 3000]]);
  assertClose(
    data(new ScaleIntensityRange({ aMin: -1000, aMax: 1000, clip: true }).apply({ image: ct })),
    [0, 0.2, 0.575, 1, 1],
  );
  assertClose(
    data(new ScaleIntensityRange({ aMin: -1000, aMax: 1000, bMin: -1, bMax: 1 }).apply({ image: ct })),
    [-1, -0.6, 0.15, 1, 3],
  );
  // Lung window center -600 width 1500 → [-1350, 150].
  assertClose(data(new Window({ center: -600, width: 1500 }).apply({ image: ct })), [350 / 1500, 750 / 1500, 1, 1, 1]);
  // 0..100: the 10th/90th percentiles (numpy linear) of 0..100 are 10 and 90.
  const ramp = { data: Float32Array.from({ length: 101 }, (_, i) => 100 - i), shape: [1, 1, 101] };
  const out = data(new ScaleIntensityPercentiles({ lower: 10, upper: 90 }).apply({ image: ramp }));
  assert.equal(out[0], 1);
  assert.equal(out[100], 0);
  assertClose([out[50], out[80]], [0.5, 0.125]);
  // Percentile between order statistics: [0, 10] at 25% is 2.5 → maps 2.5..7.5 to 0..1.
  assertClose(
    data(new ScaleIntensityPercentiles({ lower: 25, upper: 75 }).apply({ image: img2d([[0, 10, 5]]) })),
    [0, 1, 0.5],
  );
});

test('ToFloat scales images and binarises masks', () => {
  const u8 = { data: Uint8Array.from([0, 51, 255]), shape: [1, 1, 3] };
  const out = new ToFloat({ scale: 1 / 255, masks: ['mask'] }).apply({ image: u8, mask: u8 });
  assertClose(data(out), [0, 0.2, 1]);
  assert.deepEqual(data(out, 'mask'), [0, 1, 1]);
  assert.ok((out.image as MedicalImage).data instanceof Float32Array, 'float output');
});

test('brightness adds one offset, contrast keeps the mean, gamma keeps the range', () => {
  const im = img2d([
    [0, 1],
    [2, 5],
  ]);
  const b = data(new RandBrightness({ offset: [0.5, 0.5] }).apply({ image: im }, Rng.seeded(1)));
  assertClose(b, [0.5, 1.5, 2.5, 5.5]);
  const c = data(new RandContrast({ factor: [2, 2] }).apply({ image: im }, Rng.seeded(1)));
  assertClose(c, [-2, 0, 2, 8]);
  const g = data(new RandGamma({ gamma: [2, 2] }).apply({ image: im }, Rng.seeded(1)));
  assertClose(g, [0, 5 * 0.04, 5 * 0.16, 5]);
  // Masks are never changed by intensity transforms.
  const withMask = new RandBrightness({ offset: [1, 2] }).apply({ image: im, mask: im }, Rng.seeded(3));
  assert.equal(withMask.mask, im);
});

test('gaussian noise has the requested std, is reproducible and differs between seeds', () => {
  const zero = fromFn(64, 64, () => 0);
  const t = new RandGaussianNoise({ std: 0.5 });
  const a = data(t.apply({ image: zero }, Rng.seeded(9)));
  assert.deepEqual(a, data(t.apply({ image: zero }, Rng.seeded(9))));
  assert.notDeepEqual(a, data(t.apply({ image: zero }, Rng.seeded(10))));
  const sd = Math.sqrt(a.reduce((s, v) => s + v * v, 0) / a.length);
  assert.ok(Math.abs(sd - 0.5) < 0.03, `std ${sd}`);
});

test('gaussian blur keeps constants and total mass of an interior impulse, spreads it symmetrically', () => {
  const c = data(new GaussianBlur({ sigma: 2 }).apply({ image: fromFn(9, 9, () => 3) }));
  assertClose(c, new Array(81).fill(3));
  const imp = data(
    new GaussianBlur({ sigma: 1 }).apply({ image: fromFn(15, 15, (y, x) => (y === 7 && x === 7 ? 1 : 0)) }),
  );
  assertClose([imp.reduce((a, b) => a + b, 0)], [1]);
  assertClose([imp[7 * 15 + 6], imp[6 * 15 + 7]], [imp[7 * 15 + 8], imp[8 * 15 + 7]]);
  // σ=1: the 1-D weight at offset 1 relative to 0 is exp(-1/2).
  assertClose([imp[7 * 15 + 8] / imp[7 * 15 + 7]], [Math.exp(-0.5)]);
  const r = new RandGaussianBlur({ sigma: [0.5, 1.5] });
  assert.deepEqual(
    data(r.apply({ image: fromFn(9, 9, (y) => y) }, Rng.seeded(4))),
    data(r.apply({ image: fromFn(9, 9, (y) => y) }, Rng.seeded(4))),
  );
});
