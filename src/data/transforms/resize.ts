/**
 * Resize to a fixed spatial size: bilinear (2D) / trilinear (3D) for images, nearest for masks.
 *
 * Linear interpolation is separable, so it runs as one 1-D pass per axis (exactly equal to bi/trilinear).
 * Sampling positions follow `torch.nn.functional.interpolate`:
 * - `alignCorners: false` (default, as torch and MONAI): src = (dst + 0.5) · in/out − 0.5, clamped at 0, so
 *   pixel *areas* line up (2 → 4 gives positions 0, 0.25, 0.75, 1).
 * - `alignCorners: true`: src = dst · (in − 1)/(out − 1), so corner pixel *centres* line up (2 → 4 gives
 *   0, 1/3, 2/3, 1).
 * Masks use centred nearest neighbour, src = floor((dst + 0.5) · in/out) (torch's 'nearest-exact'), which
 * keeps the mask's value set exactly. No anti-aliasing: for strong downsampling blur first.
 */
import {
  commonSpatialShape,
  getImage,
  resolveKeys,
  TransformError,
  withData,
  type KeyOptions,
  type Sample,
  type Transform,
  checkUnlistedMasks,
} from './transform.js';

export interface ResizeOptions extends KeyOptions {
  /** Output spatial size: [H, W] or [D, H, W]. */
  size: number[];
  alignCorners?: boolean;
}

export class Resize implements Transform {
  readonly deterministic = true;
  private readonly keys: string[];
  private readonly masks: string[];
  constructor(private readonly opts: ResizeOptions) {
    ({ keys: this.keys, masks: this.masks } = resolveKeys(opts));
    if (!Array.isArray(opts.size) || opts.size.some((s) => !Number.isInteger(s) || s < 1)) {
      throw new TransformError(`Resize: size must be positive integers, got ${JSON.stringify(opts.size)}`);
    }
  }
  /** Refuses a sample with a label map this transform would not move (see checkUnlistedMasks). */
  check(sample: Sample): void {
    checkUnlistedMasks(sample, this.opts, 'Resize');
  }
  apply(sample: Sample): Sample {
    this.check(sample);
    const spatial = commonSpatialShape(sample, [...this.keys, ...this.masks], 'Resize');
    if (spatial.length !== this.opts.size.length) {
      throw new TransformError(`Resize: size has ${this.opts.size.length} axes but the images have ${spatial.length}`);
    }
    const out: Sample = { ...sample };
    for (const k of this.keys) {
      const img = getImage(sample, k, 'Resize');
      const r = resizeArray(img.data, img.shape, this.opts.size, 'linear', this.opts.alignCorners ?? false);
      out[k] = withData(img, r, [img.shape[0], ...this.opts.size]);
    }
    for (const k of this.masks) {
      const img = getImage(sample, k, 'Resize');
      out[k] = withData(img, resizeArray(img.data, img.shape, this.opts.size, 'nearest', false), [
        img.shape[0],
        ...this.opts.size,
      ]);
    }
    return out;
  }
}

/** Resizes channels-first data of `shape` to the spatial `size`. */
export function resizeArray(
  data: Float32Array,
  shape: readonly number[],
  size: readonly number[],
  mode: 'linear' | 'nearest',
  alignCorners: boolean,
): Float32Array {
  let cur = data;
  const curShape = shape.slice();
  for (let a = 0; a < size.length; a++) {
    const axis = a + 1;
    if (curShape[axis] === size[a]) continue;
    cur = resampleAxis(cur, curShape, axis, size[a], mode, alignCorners);
    curShape[axis] = size[a];
  }
  return cur === data ? data.slice() : cur;
}

function resampleAxis(
  data: Float32Array,
  shape: number[],
  axis: number,
  outLen: number,
  mode: 'linear' | 'nearest',
  alignCorners: boolean,
): Float32Array {
  const inLen = shape[axis];
  const outer = shape.slice(0, axis).reduce((a, b) => a * b, 1);
  const inner = shape.slice(axis + 1).reduce((a, b) => a * b, 1);
  const i0 = new Int32Array(outLen);
  const i1 = new Int32Array(outLen);
  const w1 = new Float64Array(outLen);
  for (let o = 0; o < outLen; o++) {
    if (mode === 'nearest') {
      const s = Math.min(Math.floor(((o + 0.5) * inLen) / outLen), inLen - 1);
      i0[o] = i1[o] = s;
      continue;
    }
    let s: number;
    if (alignCorners) s = outLen > 1 ? (o * (inLen - 1)) / (outLen - 1) : 0;
    else s = Math.max(((o + 0.5) * inLen) / outLen - 0.5, 0);
    const f = Math.floor(s);
    i0[o] = Math.min(f, inLen - 1);
    i1[o] = Math.min(f + 1, inLen - 1);
    w1[o] = s - f;
  }
  const out = new Float32Array(outer * outLen * inner);
  for (let a = 0; a < outer; a++) {
    const src = a * inLen * inner;
    const dst = a * outLen * inner;
    for (let o = 0; o < outLen; o++) {
      const p = src + i0[o] * inner;
      const q = src + i1[o] * inner;
      const w = w1[o];
      const d = dst + o * inner;
      if (w === 0) for (let j = 0; j < inner; j++) out[d + j] = data[p + j];
      else for (let j = 0; j < inner; j++) out[d + j] = data[p + j] + w * (data[q + j] - data[p + j]);
    }
  }
  return out;
}
