/**
 * CenterNet training targets rendered from a sample's boxes (`centerNetTargets`), in the loader so they are
 * made in its worker threads and batch like images:
 *   heatmap [K, H/s, W/s]: a Gaussian peak (1 at the centre cell) per object in its class channel, radius
 *     from CornerNet's gaussian_radius with min overlap 0.7, the element-wise max where objects overlap;
 *   regression [4, H/s, W/s]: box (w, h) in output cells and the sub-cell centre offset (dx, dy), at centres;
 *   regMask [1, H/s, W/s]: 1 at object centres;
 *   gtBoxes [maxBoxes * 5]: (x1, y1, x2, y2, class) per box in input pixels, class -1 for padding, for mAP.
 * The model-side `centerNetTargets` (models/centernet.ts) wraps the same rendering into tensors.
 */
import { getBoxes, type BoxList } from './box-list.js';
import { commonSpatialShape, TransformError, type Sample, type Transform } from './transform.js';

export interface CenterNetTargetOptions {
  numClasses: number;
  /** Output stride of the detector (CenterNet: 4). */
  stride?: number;
  /** Boxes kept per image in `gtBoxes` (more is an error naming the sample). */
  maxBoxes?: number;
}

export interface CenterNetTargetArrays {
  heatmap: Float32Array;
  regression: Float32Array;
  mask: Float32Array;
  height: number;
  width: number;
}

/** Renders the targets of one image of `size` [H, W]. */
export function renderCenterNetTargets(
  list: BoxList,
  numClasses: number,
  size: [number, number],
  stride = 4,
): CenterNetTargetArrays {
  const h = Math.ceil(size[0] / stride);
  const w = Math.ceil(size[1] / stride);
  const heat = new Float32Array(numClasses * h * w);
  const reg = new Float32Array(4 * h * w);
  const mask = new Float32Array(h * w);
  for (let j = 0; j < list.classes.length; j++) {
    const c = list.classes[j];
    if (!(c >= 0 && c < numClasses)) throw new RangeError(`centerNetTargets: class ${c} outside [0, ${numClasses})`);
    const [x1, y1, x2, y2] = list.boxes.subarray(j * 4, j * 4 + 4);
    const bw = (x2 - x1) / stride;
    const bh = (y2 - y1) / stride;
    const cx = (x1 + x2) / 2 / stride;
    const cy = (y1 + y2) / 2 / stride;
    const px = Math.min(w - 1, Math.max(0, Math.floor(cx)));
    const py = Math.min(h - 1, Math.max(0, Math.floor(cy)));
    const r = Math.max(0, Math.floor(gaussianRadius(bh, bw)));
    const sigma = (2 * r + 1) / 6;
    for (let y = Math.max(0, py - r); y <= Math.min(h - 1, py + r); y++)
      for (let x = Math.max(0, px - r); x <= Math.min(w - 1, px + r); x++) {
        const v = Math.exp(-((x - px) ** 2 + (y - py) ** 2) / (2 * sigma * sigma));
        const i = (c * h + y) * w + x;
        heat[i] = Math.max(heat[i], v);
      }
    const at = (ch: number) => (ch * h + py) * w + px;
    reg[at(0)] = bw;
    reg[at(1)] = bh;
    reg[at(2)] = cx - px;
    reg[at(3)] = cy - py;
    mask[py * w + px] = 1;
  }
  return { heatmap: heat, regression: reg, mask, height: h, width: w };
}

/** CenterNet's gaussian_radius (CornerNet), min overlap 0.7. */
export function gaussianRadius(height: number, width: number, minOverlap = 0.7): number {
  const b1 = height + width;
  const c1 = (width * height * (1 - minOverlap)) / (1 + minOverlap);
  const r1 = (b1 + Math.sqrt(b1 ** 2 - 4 * c1)) / 2;
  const b2 = 2 * (height + width);
  const c2 = (1 - minOverlap) * width * height;
  const r2 = (b2 + Math.sqrt(b2 ** 2 - 16 * c2)) / 2;
  const a3 = 4 * minOverlap;
  const b3 = -2 * minOverlap * (height + width);
  const c3 = (minOverlap - 1) * width * height;
  const r3 = (b3 + Math.sqrt(b3 ** 2 - 4 * a3 * c3)) / 2;
  return Math.min(r1, r2, r3);
}

export class CenterNetTargets implements Transform {
  readonly deterministic = true;
  constructor(private readonly opts: CenterNetTargetOptions) {
    if (!(Number.isInteger(opts.numClasses) && opts.numClasses >= 1))
      throw new TransformError(`CenterNetTargets: numClasses must be a positive integer, got ${opts.numClasses}`);
  }
  apply(sample: Sample): Sample {
    const [H, W] = commonSpatialShape(sample, ['image'], 'CenterNetTargets');
    const list = getBoxes(sample, 'CenterNetTargets');
    const stride = this.opts.stride ?? 4;
    const maxBoxes = this.opts.maxBoxes ?? 128;
    const n = list.classes.length;
    if (n > maxBoxes)
      throw new TransformError(
        `CenterNetTargets: sample ${String(sample.id ?? '')} has ${n} boxes, more than maxBoxes ${maxBoxes}`,
      );
    const t = renderCenterNetTargets(list, this.opts.numClasses, [H, W], stride);
    const gt = new Float32Array(maxBoxes * 5).fill(-1);
    for (let j = 0; j < n; j++) {
      gt.set(list.boxes.subarray(j * 4, j * 4 + 4), j * 5);
      gt[j * 5 + 4] = list.classes[j];
    }
    const out: Sample = { ...sample };
    delete out.boxes;
    out.heatmap = { data: t.heatmap, shape: [this.opts.numClasses, t.height, t.width] };
    out.regression = { data: t.regression, shape: [4, t.height, t.width] };
    out.regMask = { data: t.mask, shape: [1, t.height, t.width] };
    out.gtBoxes = gt;
    return out;
  }
}
