// Box-aware transforms: each moves the boxes exactly as it moves the pixels. The check that cannot be fooled:
// paint each box as a bright rectangle, transform, and compare the bright pixels' extent with the moved box.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  BoxResize,
  CenterNetTargets,
  RandBoxAffine,
  RandBoxCrop,
  RandBoxFlip,
  RandColorJitter,
  Rng,
  boxAffine,
  createTransform,
  type BoxList,
  type Sample,
} from '../../../src/data/transforms/index.js';
import type { MedicalImage } from '../../../src/data/medical-image.js';
import { fromFn } from './helpers.js';

const boxesOf = (...b: number[][]): BoxList => ({
  boxes: Float32Array.from(b.flatMap((x) => x.slice(0, 4))),
  classes: Int32Array.from(b.map((x) => x[4] ?? 0)),
});

/** A 1-channel image, 1 inside the box [x1, y1, x2, y2] (pixel centres inside), 0 elsewhere. */
function painted(h: number, w: number, box: number[]): MedicalImage<Float32Array> {
  return fromFn(h, w, (y, x) => (x + 0.5 > box[0] && x + 0.5 < box[2] && y + 0.5 > box[1] && y + 0.5 < box[3] ? 1 : 0));
}

/** [x1, y1, x2, y2] of the pixels above 0.5, in continuous coordinates. */
function brightExtent(img: MedicalImage): number[] {
  const [, h, w] = img.shape;
  let [x1, y1, x2, y2] = [Infinity, Infinity, -Infinity, -Infinity];
  for (let y = 0; y < h; y++)
    for (let x = 0; x < w; x++)
      if (img.data[y * w + x] > 0.5)
        [x1, y1, x2, y2] = [Math.min(x1, x), Math.min(y1, y), Math.max(x2, x + 1), Math.max(y2, y + 1)];
  return [x1, y1, x2, y2];
}

const listed = (s: Sample) => Array.from((s.boxes as BoxList).boxes);

test('randBoxFlip: horizontal x -> W - x, vertical y -> H - y, pixels and boxes alike', () => {
  const box = [10, 4, 22, 12];
  const s = { image: painted(20, 40, box), boxes: boxesOf(box) };
  const both = new RandBoxFlip({ horizontal: 1, vertical: 1 }).apply(s, Rng.seeded(0));
  assert.deepEqual(listed(both), [18, 8, 30, 16]);
  assert.deepEqual(brightExtent(both.image as MedicalImage), [18, 8, 30, 16]);
  const none = new RandBoxFlip({ horizontal: 0 }).apply(s, Rng.seeded(0));
  assert.equal(none, s);
});

test('boxResize: 40x20 -> 20x10 halves every coordinate', () => {
  const box = [10, 4, 22, 12];
  const out = new BoxResize({ size: [10, 20] }).apply({ image: painted(20, 40, box), boxes: boxesOf(box) });
  assert.deepEqual(listed(out), [5, 2, 11, 6]);
  assert.deepEqual((out.image as MedicalImage).shape, [1, 10, 20]);
});

test('boxAffine: rotation by 90 degrees, zoom 1.5 and a shift move the box onto the moved rectangle', () => {
  const box = [40, 42, 56, 52];
  const s = { image: painted(96, 96, box), boxes: boxesOf(box) };
  const out = boxAffine(s, { rotate: 90, scale: 1.5, translate: [3, -5] });
  const moved = listed(out);
  const bright = brightExtent(out.image as MedicalImage);
  moved.forEach((v, i) => assert.ok(Math.abs(v - bright[i]) <= 1, `${moved} vs ${bright}`));
  // 90 degrees turns a 16x10 box into a 10x16 one, zoomed 1.5: 15 x 24.
  assert.ok(Math.abs(moved[2] - moved[0] - 15) < 1e-4 && Math.abs(moved[3] - moved[1] - 24) < 1e-4, String(moved));
});

test('randBoxAffine drops a box pushed out of the image and keeps the others', () => {
  const s = { image: painted(32, 32, [0, 0, 0, 0]), boxes: boxesOf([0, 0, 6, 6, 1], [12, 12, 20, 20, 2]) };
  // A shift of exactly +20 px (range [20, 20]) moves the first box to [20, 20, 26, 26], the second out.
  const out = new RandBoxAffine({ translate: [20, 20], minVisible: 0.5 }).apply(s, Rng.seeded(1));
  assert.deepEqual(listed(out), [20, 20, 26, 26]);
  assert.deepEqual(Array.from((out.boxes as BoxList).classes), [1]);
});

test('randBoxCrop: boxes shift into the window, clip at its edge, and leave when mostly outside', () => {
  const s = { image: painted(40, 40, [0, 0, 0, 0]), boxes: boxesOf([2, 2, 12, 12, 0], [15, 15, 25, 25, 1]) };
  for (let seed = 0; seed < 20; seed++) {
    const out = new RandBoxCrop({ size: [20, 20], minVisible: 0.5 }).apply(s, Rng.seeded(seed));
    const b = out.boxes as BoxList;
    for (let i = 0; i < b.classes.length; i++) {
      const [x1, y1, x2, y2] = b.boxes.subarray(i * 4, i * 4 + 4);
      assert.ok(x1 >= 0 && y1 >= 0 && x2 <= 20 && y2 <= 20, `seed ${seed}: ${[x1, y1, x2, y2]}`);
      assert.ok((x2 - x1) * (y2 - y1) >= 50, `seed ${seed}: kept a box with less than half its area`);
    }
    assert.deepEqual((out.image as MedicalImage).shape, [1, 20, 20]);
  }
});

test('randColorJitter: saturation leaves a grey image as it is; brightness scales every value', () => {
  const grey: MedicalImage<Float32Array> = { data: new Float32Array(3 * 4).fill(0.4), shape: [3, 2, 2] };
  const sat = new RandColorJitter({ saturation: 0.9 }).apply({ image: grey }, Rng.seeded(3));
  for (const v of (sat.image as MedicalImage).data) assert.ok(Math.abs(v - 0.4) < 1e-6);
  const bright = new RandColorJitter({ brightness: 0.5 }).apply({ image: grey }, Rng.seeded(3));
  const f = (bright.image as MedicalImage).data[0] / 0.4;
  assert.ok(f >= 0.5 && f <= 1.5 && f !== 1);
  for (const v of (bright.image as MedicalImage).data) assert.ok(Math.abs(v - 0.4 * f) < 1e-6);
});

test('centerNetTargets: a 16x8 box centred at (18, 10) peaks at cell (4, 2) with size (4, 2) and offset (0.5, 0.5)', () => {
  const s = { id: 'x', image: painted(32, 40, [0, 0, 0, 0]), boxes: boxesOf([10, 6, 26, 14, 1]) };
  const out = new CenterNetTargets({ numClasses: 2, maxBoxes: 3 }).apply(s);
  const heat = out.heatmap as MedicalImage;
  assert.deepEqual(heat.shape, [2, 8, 10]);
  const at = (c: number, y: number, x: number) => heat.data[(c * 8 + y) * 10 + x];
  assert.equal(at(1, 2, 4), 1);
  assert.equal(Math.max(...heat.data.subarray(0, 80)), 0); // nothing in class 0
  const reg = out.regression as MedicalImage;
  assert.deepEqual(
    [0, 1, 2, 3].map((c) => reg.data[(c * 8 + 2) * 10 + 4]),
    [4, 2, 0.5, 0.5],
  );
  assert.equal((out.regMask as MedicalImage).data[2 * 10 + 4], 1);
  assert.deepEqual(Array.from(out.gtBoxes as Float32Array), [10, 6, 26, 14, 1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1]);
  assert.equal(out.boxes, undefined);
});

test('box transforms are in the spec registry; a sample without boxes is a one-line TransformError', () => {
  const t = createTransform([
    { type: 'boxResize', size: [8, 8] },
    { type: 'randBoxFlip', horizontal: 1 },
  ]);
  const out = t.apply({ image: painted(16, 16, [0, 0, 8, 8]), boxes: boxesOf([0, 0, 8, 8]) }, Rng.seeded(0));
  assert.deepEqual(listed(out), [4, 0, 8, 4]);
  assert.throws(() => t.apply({ image: painted(16, 16, [0, 0, 0, 0]) }, Rng.seeded(0)), /no box list under "boxes"/);
  assert.throws(() => createTransform([{ type: 'randBoxCrop', size: [8] } as never]), /size must be \[H, W\]/);
});
