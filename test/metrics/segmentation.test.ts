// Segmentation metrics against numpy/scipy/sklearn references (MONAI's HD95 definition written out with
// scipy, since MONAI is not installed), plus the documented empty-mask cases.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  DiceMetric,
  HausdorffDistanceMetric,
  dice,
  euclideanDistanceTransform,
  hausdorffDistance,
  hausdorffDistance95,
  iou,
  pixelAuroc,
  segmentationReport,
  type Mask,
  type SegmentationSample,
} from '../../src/metrics/index.js';
import { assertClose, pythonReference, rng } from './python-reference.js';

const rand = rng(7);

interface Case {
  name: string;
  prob: Mask & { data: Float32Array };
  target: Mask & { data: Uint8Array };
  roi?: Mask & { data: Uint8Array };
  spacing?: number[];
}

/** A noisy soft ellipsoid (prediction) and a shifted hard ellipsoid (target) on `shape`. */
function blobCase(name: string, shape: number[], spacing?: number[], withRoi = false): Case {
  const size = shape.reduce((a, b) => a * b, 1);
  const prob = new Float32Array(size);
  const target = new Uint8Array(size);
  const roi = new Uint8Array(size);
  const c1 = shape.map((d) => d * (0.35 + 0.3 * rand()));
  const c2 = c1.map((c, i) => c + (rand() - 0.5) * shape[i] * 0.2);
  const r = shape.map((d) => d * (0.15 + 0.15 * rand()));
  for (let i = 0; i < size; i++) {
    let rem = i;
    let d1 = 0;
    let d2 = 0;
    let dr = 0;
    for (let a = shape.length - 1; a >= 0; a--) {
      const x = rem % shape[a];
      rem = Math.floor(rem / shape[a]);
      d1 += ((x - c1[a]) / r[a]) ** 2;
      d2 += ((x - c2[a]) / r[a]) ** 2;
      dr += ((x - shape[a] / 2) / (shape[a] * 0.42)) ** 2;
    }
    prob[i] = 1 / (1 + Math.exp(4 * (Math.sqrt(d1) - 1) + 1.5 * (rand() - 0.5)));
    target[i] = d2 <= 1 ? 1 : 0;
    roi[i] = dr <= 1 ? 1 : 0;
  }
  return {
    name,
    prob: { data: prob, shape },
    target: { data: target, shape },
    roi: withRoi ? { data: roi, shape } : undefined,
    spacing,
  };
}

const cases: Case[] = [
  blobCase('2d', [40, 36]),
  blobCase('2d-roi', [40, 36], undefined, true),
  blobCase('2d-spacing', [32, 48], [0.7, 1.3]),
  blobCase('3d', [12, 20, 18]),
  blobCase('3d-roi-spacing', [10, 24, 20], [2.5, 0.8, 0.8], true),
];

const script = String.raw`
import json, sys
import numpy as np
from scipy.ndimage import binary_erosion, distance_transform_edt
from sklearn.metrics import roc_auc_score

def hd(pred, gt, spacing, q):
    # MONAI compute_hausdorff_distance(percentile=q, directed=False): get_mask_edges (mask ^ erosion),
    # then distances from one edge set to the EDT of the other, percentile, symmetric max.
    ep = pred ^ binary_erosion(pred); eg = gt ^ binary_erosion(gt)
    d1 = distance_transform_edt(~eg, sampling=spacing)[ep]
    d2 = distance_transform_edt(~ep, sampling=spacing)[eg]
    return max(np.percentile(d1, q), np.percentile(d2, q))

out = []
for c in json.load(sys.stdin):
    shape = c['shape']; sp = c['spacing']
    prob = np.array(c['prob'], dtype=np.float64).reshape(shape)
    gt = np.array(c['target']).reshape(shape) >= 0.5
    roi = np.array(c['roi']).reshape(shape) != 0 if c['roi'] is not None else np.ones(shape, bool)
    pred = (prob >= 0.5) & roi; gt = gt & roi
    inter = (pred & gt).sum()
    feat = np.array(c['features']).reshape(shape) != 0
    out.append({
        'dice': 2 * inter / (pred.sum() + gt.sum()),
        'iou': inter / (pred | gt).sum(),
        'auroc': roc_auc_score(gt[roi].astype(int), prob[roi]),
        'hd95': hd(pred, gt, sp, 95), 'hd100': hd(pred, gt, sp, 100), 'hd50': hd(pred, gt, sp, 50),
        'edt': distance_transform_edt(~feat, sampling=sp).ravel().tolist(),
    })
print(json.dumps(out))
`;

// Sparse random feature points for the distance-transform comparison.
const features = cases.map((c) => Uint8Array.from(c.target.data, () => (rand() < 0.02 ? 1 : 0)));
const ref: any[] = pythonReference(
  script,
  cases.map((c, i) => ({
    shape: c.prob.shape,
    spacing: c.spacing ?? null,
    prob: Array.from(c.prob.data),
    target: Array.from(c.target.data),
    roi: c.roi ? Array.from(c.roi.data) : null,
    features: Array.from(features[i]),
  })),
);

cases.forEach((c, i) => {
  const e = ref[i];
  test(`${c.name}: Dice, IoU, pixel AUROC, HD95/HD/HD50 match the numpy/scipy/sklearn reference`, () => {
    const o = { roi: c.roi };
    assertClose(dice(c.prob, c.target, o), e.dice, 1e-12, 'dice');
    assertClose(iou(c.prob, c.target, o), e.iou, 1e-12, 'iou');
    assertClose(pixelAuroc(c.prob, c.target, o), e.auroc, 1e-12, 'auroc');
    assertClose(hausdorffDistance95(c.prob, c.target, { ...o, spacing: c.spacing }), e.hd95, 1e-9, 'hd95');
    assertClose(
      hausdorffDistance(c.prob, c.target, { ...o, spacing: c.spacing, percentile: 100 }),
      e.hd100,
      1e-9,
      'hd',
    );
    assertClose(
      hausdorffDistance(c.prob, c.target, { ...o, spacing: c.spacing, percentile: 50 }),
      e.hd50,
      1e-9,
      'hd50',
    );
    // Sanity that the data is not degenerate: a real overlap and a real distance.
    assert.ok(e.dice > 0.2 && e.dice < 0.99 && e.hd95 > 0.5, `${e.dice} ${e.hd95}`);
  });
  test(`${c.name}: Felzenszwalb-Huttenlocher EDT equals scipy distance_transform_edt`, () => {
    const dt = euclideanDistanceTransform(features[i], c.prob.shape, { spacing: c.spacing });
    assertClose(dt, e.edt, 1e-12, 'edt');
  });
});

test('segmentationReport: per-image means, NaN HD95/AUROC excluded and counted', () => {
  const samples: SegmentationSample[] = cases.map((c) => ({
    pred: c.prob,
    target: c.target,
    roi: c.roi,
    spacing: c.spacing,
  }));
  const shape = [6, 5];
  const zeros: Mask = { data: new Uint8Array(30), shape };
  const blob = new Uint8Array(30);
  blob[7] = blob[8] = blob[12] = blob[13] = 1;
  // An image with an empty target but a prediction: Dice 0, IoU 0, AUROC NaN, HD95 NaN.
  samples.push({ pred: { data: blob, shape }, target: zeros, roi: undefined, spacing: undefined });
  // Both empty: Dice 1, IoU 1, AUROC NaN (one class), HD95 0.
  samples.push({ pred: zeros, target: zeros, roi: undefined, spacing: undefined });
  const r = segmentationReport(samples);
  const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
  assert.equal(r.n, 7);
  assertClose(r.dice, mean([...ref.map((e) => e.dice), 0, 1]), 1e-12, 'dice');
  assertClose(r.iou, mean([...ref.map((e) => e.iou), 0, 1]), 1e-12, 'iou');
  assertClose(r.auroc, mean(ref.map((e) => e.auroc)), 1e-12, 'auroc');
  assertClose(r.hd95, mean([...ref.map((e) => e.hd95), 0]), 1e-9, 'hd95');
  assert.equal(r.auroc_count, 5);
  assert.equal(r.hd95_count, 6);
  assert.equal(r.hd95_nan, 1);
});

test('empty masks: Dice 1/0, IoU 1/0, HD95 0 when both empty and NaN when one is', () => {
  const shape = [4, 4, 3];
  const empty: Mask = { data: new Float32Array(48), shape };
  const one = new Float32Array(48);
  one[17] = 0.9;
  const some: Mask = { data: one, shape };
  assert.equal(dice(empty, empty), 1);
  assert.equal(dice(some, empty), 0);
  assert.equal(dice(empty, some), 0);
  assert.equal(iou(empty, empty), 1);
  assert.equal(iou(empty, some), 0);
  assert.equal(hausdorffDistance95(empty, empty), 0);
  assert.ok(Number.isNaN(hausdorffDistance95(some, empty)));
  assert.ok(Number.isNaN(hausdorffDistance95(empty, some)));
  assert.ok(Number.isNaN(pixelAuroc(some, empty)));
  // The ROI can make a mask empty: foreground outside it is ignored.
  const roi: Mask = { data: Uint8Array.from(one, (v) => (v > 0 ? 0 : 1)), shape };
  assert.equal(dice(some, empty, { roi }), 1);
  assert.equal(hausdorffDistance95(some, empty, { roi }), 0);
});

test('hand case: single points 3-4-5 apart, and with anisotropic spacing', () => {
  const shape = [6, 7];
  const a = new Uint8Array(42);
  const b = new Uint8Array(42);
  a[0 * 7 + 1] = 1; // (0, 1)
  b[3 * 7 + 5] = 1; // (3, 5)
  const pa = { data: a, shape };
  const pb = { data: b, shape };
  assert.equal(hausdorffDistance95(pa, pb), 5);
  assert.equal(hausdorffDistance95(pa, pb, { spacing: [2, 0.5] }), Math.sqrt(36 + 4));
  // Accumulating: mean over images with NaN left out.
  const m = new HausdorffDistanceMetric();
  m.update(pa, pb)
    .update(pa, { data: new Uint8Array(42), shape })
    .update(pa, pa);
  assert.deepEqual(
    m.perImage().map((v) => (Number.isNaN(v) ? 'NaN' : v)),
    [5, 'NaN', 0],
  );
  assert.equal(m.compute(), 2.5);
  assert.equal(m.count(), 2);
  const d = new DiceMetric();
  d.update(pa, pb).update(pa, pa);
  assert.equal(d.compute(), 0.5);
  d.reset();
  assert.ok(Number.isNaN(d.compute()));
});

test('EDT hand case and shape errors', () => {
  // 1D: features at 0 and 5 -> distances 0 1 2 2 1 0 1
  assert.deepEqual(Array.from(euclideanDistanceTransform([1, 0, 0, 0, 0, 1, 0], [7])), [0, 1, 2, 2, 1, 0, 1]);
  assert.deepEqual(Array.from(euclideanDistanceTransform([0, 0], [2])), [Infinity, Infinity]);
  assert.throws(
    () => dice({ data: new Uint8Array(6), shape: [2, 3] }, { data: new Uint8Array(6), shape: [3, 2] }),
    /dice: target shape \[3, 2\] differs from prediction shape \[2, 3\]/,
  );
});
