/**
 * CenterNet's box decoding in plain TypeScript, the one copy every engine uses: libtorch's forward
 * (CenterNet.decode) and ONNX Runtime's exported `heatmap`, `size` and `offset` outputs (evaluate/predict
 * --engine onnx) both hand their heads here as float32 arrays, so the engines pick peaks, rank, threshold
 * and suppress boxes identically. Steps: 3x3 peak picking (a cell is a peak where no neighbour scores
 * higher, as CenterNet's max-pool test), top-k over classes and cells (score descending, lower index first
 * on ties), score threshold, boxes from the size and sub-cell offset heads, class-wise NMS.
 */
import { batchedNms, type Box } from './nms.js';

/** Input pixels per heat-map cell. */
export const OUTPUT_STRIDE = 4;

/** A batch of CenterNet head outputs, [n, k, h, w] for the heat map and [n, 2, h, w] for size and offset. */
export interface CenterNetHeads {
  /** Centre scores: sigmoid of the heat-map logits. */
  heatmap: Float32Array;
  /** Box (w, h) in output-stride cells. */
  size: Float32Array;
  /** Sub-cell centre offset (dx, dy). */
  offset: Float32Array;
  /** [n, k, h, w] of the heat map. */
  shape: [number, number, number, number];
}

/**
 * The heads from a runtime's named outputs (`heatmap`, `size`, `offset`; ONNX Runtime in Node or in the browser):
 * `output(name)` gives each one's values and dims.
 */
export function centerNetHeadsOf(output: (name: string) => { data: unknown; dims: readonly number[] }): CenterNetHeads {
  const heatmap = output('heatmap');
  const [n, k, h, w] = heatmap.dims;
  return {
    heatmap: heatmap.data as Float32Array,
    size: output('size').data as Float32Array,
    offset: output('offset').data as Float32Array,
    shape: [n, k, h, w],
  };
}

export interface Detection {
  /** [x1, y1, x2, y2] in input pixels. */
  box: Box;
  score: number;
  classId: number;
}

export interface DecodeOptions {
  topK?: number;
  scoreThreshold?: number;
  /** IoU above which a lower-scoring box of the same class is suppressed; 1 disables NMS. */
  iouThreshold?: number;
}

/** True when no cell of the 3x3 neighbourhood of (y, x) in one class plane scores higher. */
function isPeak(plane: Float32Array, at: number, h: number, w: number, y: number, x: number): boolean {
  const s = plane[at + y * w + x];
  for (let dy = -1; dy <= 1; dy++)
    for (let dx = -1; dx <= 1; dx++) {
      const yy = y + dy;
      const xx = x + dx;
      if (yy >= 0 && yy < h && xx >= 0 && xx < w && plane[at + yy * w + xx] > s) return false;
    }
  return true;
}

/** Boxes per image from a batch of heads. */
export function decodeCenterNet(heads: CenterNetHeads, o: DecodeOptions = {}): Detection[][] {
  const [n, k, h, w] = heads.shape;
  const cells = k * h * w;
  const topK = Math.min(o.topK ?? 100, cells);
  const threshold = o.scoreThreshold ?? 0.1;
  const iouThreshold = o.iouThreshold ?? 0.5;
  const out: Detection[][] = [];
  for (let b = 0; b < n; b++) {
    // Peaks keep their score, other cells count as 0 (the max-pool mask), ranked over classes and cells.
    const scoreAt = (flat: number) => {
      const c = Math.floor(flat / (h * w));
      const pos = flat % (h * w);
      const at = (b * k + c) * h * w;
      return isPeak(heads.heatmap, at, h, w, Math.floor(pos / w), pos % w) ? heads.heatmap[at + pos] : 0;
    };
    const candidates: { flat: number; score: number }[] = [];
    for (let flat = 0; flat < cells; flat++) {
      const score = scoreAt(flat);
      if (score >= threshold) candidates.push({ flat, score });
    }
    candidates.sort((a, b2) => b2.score - a.score || a.flat - b2.flat);
    const boxes: Box[] = [];
    const scores: number[] = [];
    const classes: number[] = [];
    for (const { flat, score } of candidates.slice(0, topK)) {
      const pos = flat % (h * w);
      const py = Math.floor(pos / w);
      const px = pos % w;
      const at = (t: Float32Array, ch: number) => t[((b * 2 + ch) * h + py) * w + px];
      const cx = px + at(heads.offset, 0);
      const cy = py + at(heads.offset, 1);
      const bw = Math.max(0, at(heads.size, 0));
      const bh = Math.max(0, at(heads.size, 1));
      boxes.push([
        (cx - bw / 2) * OUTPUT_STRIDE,
        (cy - bh / 2) * OUTPUT_STRIDE,
        (cx + bw / 2) * OUTPUT_STRIDE,
        (cy + bh / 2) * OUTPUT_STRIDE,
      ]);
      scores.push(score);
      classes.push(Math.floor(flat / (h * w)));
    }
    const keep = iouThreshold >= 1 ? scores.map((_, i) => i) : batchedNms(boxes, scores, classes, iouThreshold);
    out.push(keep.map((i) => ({ box: boxes[i], score: scores[i], classId: classes[i] })));
  }
  return out;
}

/** Image `i`'s centre heat map, the max over classes [h * w] (for the report's and evaluation's pictures). */
export function centreHeat(heads: CenterNetHeads, i: number): Float32Array {
  const [, k, h, w] = heads.shape;
  const out = new Float32Array(h * w).fill(-Infinity);
  for (let c = 0; c < k; c++) {
    const at = (i * k + c) * h * w;
    for (let p = 0; p < h * w; p++) out[p] = Math.max(out[p], heads.heatmap[at + p]);
  }
  return out;
}

export interface DetectedObject {
  class: string;
  score: number;
  /** [x1, y1, x2, y2] in the file's pixels. */
  box: [number, number, number, number];
}

/**
 * Decoded boxes (in the model input's [h, w] pixels) as named objects in the file's [H, W] pixels, clipped to the
 * picture (a box decoded at the border can reach past it); scores to 4 decimals, boxes to 0.1 px.
 */
export function inFilePixels(
  dets: Detection[],
  classNames: readonly string[] | undefined,
  [H, W]: number[],
  [h, w]: number[],
): DetectedObject[] {
  const sx = W / w;
  const sy = H / h;
  return dets.map((d) => ({
    class: classNames?.[d.classId] ?? String(d.classId),
    score: +d.score.toFixed(4),
    box: [d.box[0] * sx, d.box[1] * sy, d.box[2] * sx, d.box[3] * sy].map(
      (v, j) => +Math.min(j % 2 ? H : W, Math.max(0, v)).toFixed(1),
    ) as [number, number, number, number],
  }));
}
