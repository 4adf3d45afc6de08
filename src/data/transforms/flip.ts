/**
 * Flips along spatial axes (0 = first spatial axis: H in 2D, D in 3D). `Flip` flips the given axes;
 * `RandFlip` flips each listed axis independently with probability `p` (default 0.5), images and masks alike.
 * Flips move pixels without interpolation, so masks keep their values exactly.
 */
import type { PixelArray } from '../medical-image.js';
import type { Rng } from './rng.js';
import {
  allocLike,
  commonSpatialShape,
  getAnyImage,
  resolveKeys,
  TransformError,
  type KeyOptions,
  type Sample,
  type Transform,
  checkUnlistedMasks,
} from './transform.js';

/**
 * Gathers `data` of `shape` into a new array where output axis j reads source axis perm[j], reversed when
 * rev[j] (the common core of flips, transposes and 90° rotations).
 */
export function remapAxes<T extends PixelArray>(
  data: T,
  shape: readonly number[],
  perm: readonly number[],
  rev: readonly boolean[],
): { data: T; shape: number[] } {
  const r = shape.length;
  const outShape = perm.map((p) => shape[p]);
  const srcStride = new Array<number>(r).fill(1);
  for (let k = r - 2; k >= 0; k--) srcStride[k] = srcStride[k + 1] * shape[k + 1];
  // Per output axis: the source offset of coordinate 0 and the step per coordinate.
  const step = perm.map((p, j) => (rev[j] ? -srcStride[p] : srcStride[p]));
  let base = 0;
  perm.forEach((p, j) => {
    if (rev[j]) base += (shape[p] - 1) * srcStride[p];
  });
  const out = allocLike(data, data.length);
  const idx = new Array<number>(r).fill(0);
  const last = r - 1;
  const n = outShape[last];
  const sLast = step[last];
  // The last axis kept in place (flips): whole rows are copied natively.
  const rowCopy = sLast === 1;
  let src = base;
  for (let o = 0; o < data.length; o += n) {
    if (rowCopy) out.set(data.subarray(src, src + n) as never, o);
    else for (let i = 0, s = src; i < n; i++, s += sLast) out[o + i] = data[s];
    // Advance the outer multi-index and its source offset.
    for (let k = last - 1; k >= 0; k--) {
      if (++idx[k] < outShape[k]) {
        src += step[k];
        break;
      }
      src -= step[k] * (outShape[k] - 1);
      idx[k] = 0;
    }
  }
  return { data: out, shape: outShape };
}

function checkAxes(axes: number[], d: number, who: string): void {
  for (const a of axes) {
    if (!Number.isInteger(a) || a < 0 || a >= d)
      throw new TransformError(`${who}: spatial axis ${a} out of range for ${d}D images`);
  }
}

function flipSample(sample: Sample, names: string[], axes: number[], who: string): Sample {
  if (axes.length === 0) return sample;
  const out: Sample = { ...sample };
  for (const k of names) {
    const img = getAnyImage(sample, k, who);
    const r = img.shape.length;
    const perm = [...Array(r).keys()];
    const rev = perm.map((i) => i > 0 && axes.includes(i - 1));
    const res = remapAxes(img.data, img.shape, perm, rev);
    out[k] = { ...img, data: res.data, shape: res.shape };
  }
  return out;
}

export interface FlipOptions extends KeyOptions {
  /** Spatial axes to flip. */
  axes: number[];
}

export class Flip implements Transform {
  readonly deterministic = true;
  private readonly names: string[];
  constructor(private readonly opts: FlipOptions) {
    const { keys, masks } = resolveKeys(opts);
    this.names = [...keys, ...masks];
  }
  /** Refuses a sample with a label map this transform would not move (see checkUnlistedMasks). */
  check(sample: Sample): void {
    checkUnlistedMasks(sample, this.opts, 'Flip');
  }
  apply(sample: Sample): Sample {
    this.check(sample);
    const d = commonSpatialShape(sample, this.names, 'Flip').length;
    checkAxes(this.opts.axes, d, 'Flip');
    return flipSample(sample, this.names, this.opts.axes, 'Flip');
  }
}

export interface RandFlipOptions extends KeyOptions {
  /** Candidate spatial axes (default: all). */
  axes?: number[];
  /** Probability of flipping each axis (default 0.5). */
  p?: number;
}

export class RandFlip implements Transform {
  private readonly names: string[];
  constructor(private readonly opts: RandFlipOptions = {}) {
    const { keys, masks } = resolveKeys(opts);
    this.names = [...keys, ...masks];
    const p = opts.p ?? 0.5;
    if (!(p >= 0 && p <= 1)) throw new TransformError(`RandFlip: p must be in [0, 1], got ${p}`);
  }
  /** Refuses a sample with a label map this transform would not move (see checkUnlistedMasks). */
  check(sample: Sample): void {
    checkUnlistedMasks(sample, this.opts, 'RandFlip');
  }
  apply(sample: Sample, rng: Rng): Sample {
    this.check(sample);
    const d = commonSpatialShape(sample, this.names, 'RandFlip').length;
    const axes = this.opts.axes ?? [...Array(d).keys()];
    checkAxes(axes, d, 'RandFlip');
    const p = this.opts.p ?? 0.5;
    return flipSample(
      sample,
      this.names,
      axes.filter(() => rng.bernoulli(p)),
      'RandFlip',
    );
  }
}
