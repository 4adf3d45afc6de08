/**
 * COCO-style detection mAP, following pycocotools' COCOeval (bbox) step by step so the numbers can be compared
 * with published ones: per image and class, detections sorted by score (stable) and cut to maxDet; greedy
 * matching at each IoU threshold 0.50:0.05:0.95 where a detection takes the best-IoU unmatched ground truth
 * with IoU >= t, preferring non-ignored ones; ground truths outside the area range are ignored, and so are
 * unmatched detections outside it; precision made monotone and read at 101 recall points; classes without
 * ground truth excluded from the mean. Boxes are [x1, y1, x2, y2]; areas are w * h (no +1), as COCO's.
 *
 * `DetectionMap` accumulates images (update) and computes everything at once (compute), MONAI style.
 */
import { MetricInputError } from './metric-input-error.js';

export type DetectionBox = [number, number, number, number];

export interface DetectionImage {
  gt: { boxes: DetectionBox[]; classes: number[] };
  det: { boxes: DetectionBox[]; scores: number[]; classes: number[] };
}

export interface DetectionMapOptions {
  numClasses: number;
  /** Detections kept per image and class (COCO: [1, 10, 100]; the last one is used for the AP figures). */
  maxDets?: number[];
  /** Score at which per-class precision and recall are reported (IoU 0.5, all areas). */
  scoreThreshold?: number;
}

export interface ClassDetectionResult {
  /** AP averaged over IoU 0.50:0.95 (NaN without ground truth). */
  ap50_95: number;
  ap50: number;
  ap75: number;
  /** Precision and recall at IoU 0.5 among detections scoring >= scoreThreshold. */
  precision: number;
  recall: number;
  numGt: number;
}

export interface DetectionMapResult {
  map50_95: number;
  map50: number;
  map75: number;
  map_small: number;
  map_medium: number;
  map_large: number;
  /** Mean recall over IoU thresholds with maxDets[last] (COCO's AR@100). */
  mar: number;
  perClass: ClassDetectionResult[];
}

/** np.linspace(start, stop, num) as numpy computes it (the last value exactly `stop`). */
function linspace(start: number, stop: number, num: number): number[] {
  const step = (stop - start) / (num - 1);
  return Array.from({ length: num }, (_, i) => (i === num - 1 ? stop : i * step + start));
}

export const IOU_THRESHOLDS = linspace(0.5, 0.95, 10);
export const RECALL_THRESHOLDS = linspace(0, 1, 101);
/** COCO's area ranges: all, small (< 32²), medium (32²..96²), large (> 96²). */
export const AREA_RANGES: [number, number][] = [
  [0, 1e10],
  [0, 32 ** 2],
  [32 ** 2, 96 ** 2],
  [96 ** 2, 1e10],
];

function area(b: DetectionBox): number {
  return (b[2] - b[0]) * (b[3] - b[1]);
}

function boxIou(a: DetectionBox, b: DetectionBox): number {
  const w = Math.min(a[2], b[2]) - Math.max(a[0], b[0]);
  const h = Math.min(a[3], b[3]) - Math.max(a[1], b[1]);
  if (w <= 0 || h <= 0) return 0;
  const inter = w * h;
  return inter / (area(a) + area(b) - inter);
}

/** One image, one class, one area range: matches per IoU threshold (COCOeval.evaluateImg). */
interface ImageEval {
  scores: number[];
  /** [T][D]: matched (1) or not. */
  dtMatched: Uint8Array[];
  /** [T][D]: ignored. */
  dtIgnore: Uint8Array[];
  numGtKept: number;
}

function evaluateImage(
  gts: DetectionBox[],
  dets: DetectionBox[],
  detScores: number[],
  range: [number, number],
  maxDet: number,
): ImageEval | undefined {
  if (gts.length === 0 && dets.length === 0) return undefined;
  const gtIgnoreRaw = gts.map((g) => (area(g) < range[0] || area(g) > range[1] ? 1 : 0));
  // Ground truths sorted not-ignored first (stable), detections by score (stable) and cut to maxDet.
  const gtOrder = gts.map((_, i) => i).sort((a, b) => gtIgnoreRaw[a] - gtIgnoreRaw[b] || a - b);
  const dtOrder = dets
    .map((_, i) => i)
    .sort((a, b) => detScores[b] - detScores[a] || a - b)
    .slice(0, maxDet);
  const g = gtOrder.map((i) => gts[i]);
  const gIg = gtOrder.map((i) => gtIgnoreRaw[i]);
  const d = dtOrder.map((i) => dets[i]);
  const T = IOU_THRESHOLDS.length;
  const gtm = Array.from({ length: T }, () => new Int32Array(g.length).fill(-1));
  const dtm = Array.from({ length: T }, () => new Uint8Array(d.length));
  const dtIg = Array.from({ length: T }, () => new Uint8Array(d.length));
  const ious = d.map((db) => g.map((gb) => boxIou(db, gb)));
  IOU_THRESHOLDS.forEach((t, ti) => {
    d.forEach((_, di) => {
      let best = Math.min(t, 1 - 1e-10);
      let m = -1;
      for (let gi = 0; gi < g.length; gi++) {
        if (gtm[ti][gi] >= 0) continue; // already matched (no crowd boxes here)
        if (m > -1 && gIg[m] === 0 && gIg[gi] === 1) break; // only ignored ones left
        if (ious[di][gi] < best) continue;
        best = ious[di][gi];
        m = gi;
      }
      if (m === -1) return;
      dtIg[ti][di] = gIg[m];
      dtm[ti][di] = 1;
      gtm[ti][m] = di;
    });
  });
  // Unmatched detections outside the area range are ignored.
  d.forEach((db, di) => {
    const a = area(db);
    if (a < range[0] || a > range[1]) for (let ti = 0; ti < T; ti++) if (!dtm[ti][di]) dtIg[ti][di] = 1;
  });
  return {
    scores: dtOrder.map((i) => detScores[i]),
    dtMatched: dtm,
    dtIgnore: dtIg,
    numGtKept: gIg.filter((x) => x === 0).length,
  };
}

/**
 * Precision at the 101 recall points per IoU threshold ([T][101], -1 when the class has no kept ground truth),
 * recall per threshold, and precision/recall at IoU 0.5 above a score (COCOeval.accumulate).
 */
function accumulate(evals: ImageEval[], maxDet: number, scoreThreshold: number) {
  const T = IOU_THRESHOLDS.length;
  const R = RECALL_THRESHOLDS.length;
  const scores: number[] = [];
  const src: { e: ImageEval; i: number }[] = [];
  for (const e of evals)
    e.scores.slice(0, maxDet).forEach((s, i) => {
      scores.push(s);
      src.push({ e, i });
    });
  const order = scores.map((_, i) => i).sort((a, b) => scores[b] - scores[a] || a - b);
  const npig = evals.reduce((s, e) => s + e.numGtKept, 0);
  const precision = Array.from({ length: T }, () => new Float64Array(R).fill(-1));
  const recall = new Float64Array(T).fill(-1);
  let atThreshold = { precision: NaN, recall: NaN };
  if (npig === 0) return { precision, recall, atThreshold };
  for (let t = 0; t < T; t++) {
    const rc: number[] = [];
    const pr: number[] = [];
    let tp = 0;
    let fp = 0;
    let tpAt = 0;
    let fpAt = 0;
    for (const k of order) {
      const { e, i } = src[k];
      if (e.dtIgnore[t][i]) continue;
      if (e.dtMatched[t][i]) tp++;
      else fp++;
      if (scores[k] >= scoreThreshold) {
        if (e.dtMatched[t][i]) tpAt++;
        else fpAt++;
      }
      rc.push(tp / npig);
      pr.push(tp / (tp + fp + Number.EPSILON));
    }
    if (t === 0) atThreshold = { precision: tpAt + fpAt > 0 ? tpAt / (tpAt + fpAt) : 0, recall: tpAt / npig };
    const nd = rc.length;
    recall[t] = nd ? rc[nd - 1] : 0;
    for (let i = nd - 1; i > 0; i--) if (pr[i] > pr[i - 1]) pr[i - 1] = pr[i];
    const q = precision[t].fill(0);
    let j = 0;
    RECALL_THRESHOLDS.forEach((r, ri) => {
      while (j < nd && rc[j] < r) j++; // np.searchsorted(rc, r, side='left')
      if (j < nd) q[ri] = pr[j];
    });
  }
  return { precision, recall, atThreshold };
}

function meanValid(values: number[]): number {
  const v = values.filter((x) => x > -1);
  return v.length ? v.reduce((a, b) => a + b, 0) / v.length : NaN;
}

/** COCO bbox metrics of a list of images (see the module comment). */
export function detectionMap(images: DetectionImage[], options: DetectionMapOptions): DetectionMapResult {
  const K = options.numClasses;
  const maxDets = options.maxDets ?? [1, 10, 100];
  const maxDet = maxDets[maxDets.length - 1];
  const thr = options.scoreThreshold ?? 0.3;
  images.forEach((im, n) => {
    const check = (what: string, boxes: DetectionBox[], classes: number[], scores?: number[]) => {
      if (classes.length !== boxes.length || (scores && scores.length !== boxes.length))
        throw new MetricInputError('detectionMap', `image ${n}: ${what} boxes, classes and scores differ in length`);
      for (const c of classes)
        if (!(Number.isInteger(c) && c >= 0 && c < K))
          throw new MetricInputError('detectionMap', `image ${n}: ${what} class ${c} outside 0..${K - 1}`);
    };
    check('ground-truth', im.gt.boxes, im.gt.classes);
    check('detected', im.det.boxes, im.det.classes, im.det.scores);
  });
  // [area][class] -> accumulated precision/recall.
  const acc = AREA_RANGES.map((range) =>
    Array.from({ length: K }, (_, k) => {
      const evals: ImageEval[] = [];
      for (const im of images) {
        const gts = im.gt.boxes.filter((_, i) => im.gt.classes[i] === k);
        const di = im.det.classes.map((c, i) => (c === k ? i : -1)).filter((i) => i >= 0);
        const e = evaluateImage(
          gts,
          di.map((i) => im.det.boxes[i]),
          di.map((i) => im.det.scores[i]),
          range,
          maxDet,
        );
        if (e) evals.push(e);
      }
      return accumulate(evals, maxDet, thr);
    }),
  );
  const all = acc[0];
  const apAt = (a: typeof all, t?: number) =>
    meanValid(a.flatMap((c) => (t === undefined ? c.precision : [c.precision[t]]).flatMap((p) => Array.from(p))));
  const classAp = (k: number, t?: number) => {
    const p = t === undefined ? all[k].precision : [all[k].precision[t]];
    const v = meanValid(p.flatMap((x) => Array.from(x)));
    return v;
  };
  const numGt = (k: number) => images.reduce((s, im) => s + im.gt.classes.filter((c) => c === k).length, 0);
  return {
    map50_95: apAt(all),
    map50: apAt(all, 0),
    map75: apAt(all, 5),
    map_small: apAt(acc[1]),
    map_medium: apAt(acc[2]),
    map_large: apAt(acc[3]),
    mar: meanValid(all.flatMap((c) => Array.from(c.recall))),
    perClass: Array.from({ length: K }, (_, k) => ({
      ap50_95: classAp(k),
      ap50: classAp(k, 0),
      ap75: classAp(k, 5),
      precision: all[k].atThreshold.precision,
      recall: all[k].atThreshold.recall,
      numGt: numGt(k),
    })),
  };
}

/** Accumulates images batch by batch; `compute` scores everything seen since the last reset. */
export class DetectionMap {
  private images: DetectionImage[] = [];
  constructor(private readonly options: DetectionMapOptions) {}
  update(image: DetectionImage): void {
    this.images.push(image);
  }
  get count(): number {
    return this.images.length;
  }
  compute(): DetectionMapResult {
    return detectionMap(this.images, this.options);
  }
  reset(): void {
    this.images = [];
  }
}
