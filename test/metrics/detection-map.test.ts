// COCO mAP: hand-built cases, and random cases against test/reference/coco_map.py (COCOeval's definition in
// numpy: 101 recall points, area ranges, maxDets), which pycocotools would give (it is not packaged here).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import {
  DetectionMap,
  MetricInputError,
  detectionMap,
  type DetectionBox,
  type DetectionImage,
} from '../../src/metrics/index.js';
import { pythonReference, rng } from './python-reference.js';

const REFERENCE = readFileSync(fileURLToPath(new URL('../reference/coco_map.py', import.meta.url)), 'utf8');

/** COCO divides by tp + fp + eps, so a perfect precision is 1 - 1e-16. */
const near = (a: number, b: number) => assert.ok(Math.abs(a - b) < 1e-12, `${a} vs ${b}`);

const one = (gt: DetectionBox[], det: DetectionBox[], scores: number[], gtc?: number[], dc?: number[]) => ({
  gt: { boxes: gt, classes: gtc ?? gt.map(() => 0) },
  det: { boxes: det, scores, classes: dc ?? det.map(() => 0) },
});

test('a perfect detection scores AP 1 at every IoU', () => {
  const r = detectionMap([one([[10, 10, 50, 60]], [[10, 10, 50, 60]], [0.9])], { numClasses: 1 });
  near(r.map50, 1);
  near(r.map50_95, 1);
  near(r.perClass[0].precision, 1);
  near(r.perClass[0].recall, 1);
});

test('IoU 100/110 = 0.909 matches at thresholds 0.50..0.90 only: AP 0.9 over 0.50:0.95', () => {
  const r = detectionMap([one([[0, 0, 10, 10]], [[0, 0, 10, 11]], [0.9])], { numClasses: 1 });
  near(r.map50, 1);
  assert.ok(Math.abs(r.map50_95 - 0.9) < 1e-12, String(r.map50_95));
});

test('a higher-scoring false positive: precision envelope 2/3 at all 101 recall points', () => {
  const gt: DetectionBox[] = [
    [0, 0, 10, 10],
    [20, 20, 30, 30],
  ];
  const det: DetectionBox[] = [[50, 50, 60, 60], ...gt];
  const r = detectionMap([one(gt, det, [0.9, 0.8, 0.7])], { numClasses: 1, scoreThreshold: 0.75 });
  assert.ok(Math.abs(r.map50 - 2 / 3) < 1e-12, String(r.map50));
  // At score >= 0.75: the FP and one TP -> precision 1/2, recall 1/2.
  near(r.perClass[0].precision, 0.5);
  near(r.perClass[0].recall, 0.5);
});

test('a class without ground truth is left out of the mean (its AP is NaN)', () => {
  const r = detectionMap(
    [
      one(
        [[0, 0, 10, 10]],
        [
          [0, 0, 10, 10],
          [40, 40, 50, 50],
        ],
        [0.9, 0.95],
        [0],
        [0, 1],
      ),
    ],
    {
      numClasses: 2,
    },
  );
  near(r.map50, 1);
  assert.ok(Number.isNaN(r.perClass[1].ap50));
  assert.equal(r.perClass[1].numGt, 0);
});

test('area ranges: a 20x20 box counts as small; no large ground truth gives NaN there', () => {
  const r = detectionMap([one([[0, 0, 20, 20]], [[0, 0, 20, 20]], [0.5])], { numClasses: 1 });
  near(r.map_small, 1);
  assert.ok(Number.isNaN(r.map_medium));
  assert.ok(Number.isNaN(r.map_large));
});

test('maxDets: the true box ranked 101st in its image is cut (AP 0), ranked 100th it counts', () => {
  const fps: DetectionBox[] = Array.from({ length: 100 }, (_, i) => [200 + i, 200, 210 + i, 210]);
  const cut = detectionMap([one([[0, 0, 10, 10]], [...fps, [0, 0, 10, 10]], [...fps.map(() => 0.9), 0.1])], {
    numClasses: 1,
  });
  near(cut.map50, 0);
  const kept = detectionMap(
    [one([[0, 0, 10, 10]], [...fps.slice(1), [0, 0, 10, 10]], [...fps.slice(1).map(() => 0.9), 0.1])],
    { numClasses: 1 },
  );
  assert.ok(Math.abs(kept.map50 - 0.01) < 1e-12, String(kept.map50)); // precision 1/100 at every recall point
});

test('bad input is a one-line MetricInputError', () => {
  assert.throws(() => detectionMap([one([[0, 0, 1, 1]], [], [], [3])], { numClasses: 2 }), MetricInputError);
  assert.throws(() => detectionMap([one([], [[0, 0, 1, 1]], [])], { numClasses: 1 }), /differ in length/);
});

function randomImages(seed: number, n: number, K: number): DetectionImage[] {
  const r = rng(seed);
  const images: DetectionImage[] = [];
  for (let i = 0; i < n; i++) {
    const gt: DetectionImage['gt'] = { boxes: [], classes: [] };
    const det: DetectionImage['det'] = { boxes: [], scores: [], classes: [] };
    const count = Math.floor(r() * 8);
    for (let j = 0; j < count; j++) {
      // Sizes from 8 to 160 px: small, medium and large objects.
      const w = 8 + r() * 152;
      const h = 8 + r() * 152;
      const x = r() * 400;
      const y = r() * 300;
      const c = Math.floor(r() * K);
      gt.boxes.push([x, y, x + w, y + h]);
      gt.classes.push(c);
      if (r() < 0.8) {
        const jit = () => (r() - 0.5) * 0.3;
        det.boxes.push([x + jit() * w, y + jit() * h, x + w + jit() * w, y + h + jit() * h]);
        det.scores.push(Math.round(r() * 20) / 20); // ties on purpose: the stable order matters
        det.classes.push(r() < 0.9 ? c : (c + 1) % K);
      }
    }
    const fps = Math.floor(r() * 4);
    for (let j = 0; j < fps; j++) {
      const x = r() * 400;
      const y = r() * 300;
      det.boxes.push([x, y, x + 10 + r() * 100, y + 10 + r() * 100]);
      det.scores.push(Math.round(r() * 20) / 20);
      det.classes.push(Math.floor(r() * K));
    }
    images.push({ gt, det });
  }
  return images;
}

for (const seed of [1, 2, 3]) {
  test(`random case ${seed}: every figure equals the numpy COCOeval reference`, () => {
    const images = randomImages(seed, 40, 3);
    const ours = detectionMap(images, { numClasses: 3, scoreThreshold: 0.5 });
    const ref = pythonReference(REFERENCE, { numClasses: 3, scoreThreshold: 0.5, images });
    const close = (a: number, b: number, what: string) =>
      assert.ok((Number.isNaN(a) && Number.isNaN(b)) || Math.abs(a - b) < 1e-12, `${what}: ${a} vs ${b}`);
    for (const k of ['map50_95', 'map50', 'map75', 'map_small', 'map_medium', 'map_large', 'mar'] as const)
      close(ours[k], ref[k], k);
    ours.perClass.forEach((c, k) => {
      for (const f of ['ap50_95', 'ap50', 'ap75', 'precision', 'recall'] as const)
        close(c[f], ref.perClass[k][f], `class ${k} ${f}`);
    });
    // Not a degenerate case: the figures are neither 0 nor 1.
    assert.ok(ours.map50 > 0.2 && ours.map50 < 0.99, String(ours.map50));
  });
}

test('DetectionMap accumulates images like one call', () => {
  const images = randomImages(7, 10, 2);
  const acc = new DetectionMap({ numClasses: 2 });
  for (const im of images) acc.update(im);
  assert.equal(acc.count, 10);
  assert.deepEqual(acc.compute(), detectionMap(images, { numClasses: 2 }));
  acc.reset();
  assert.equal(acc.count, 0);
});
