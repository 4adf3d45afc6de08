/**
 * Rotation by multiples of 90° in the plane of two spatial axes, exactly as `np.rot90(img, k, axes)`: k = 1
 * turns the content counter-clockwise as displayed (the first row becomes the first column, read bottom-up).
 * Lossless (pixels move, nothing is interpolated). `RandRot90` draws k uniformly from 0..maxK.
 * Non-square planes swap their extents.
 */
import { remapAxes } from './flip.js';
import type { Rng } from './rng.js';
import {
  commonSpatialShape,
  getAnyImage,
  resolveKeys,
  TransformError,
  type KeyOptions,
  type Sample,
  type Transform,
  checkUnlistedMasks,
} from './transform.js';

export interface Rot90Options extends KeyOptions {
  /** Number of quarter turns (any integer; negative = clockwise). */
  k: number;
  /** The two spatial axes of the plane (default [0, 1], i.e. (H, W) in 2D). */
  axes?: [number, number];
}

/** Rotates all `names` by k quarter turns in the plane of spatial axes (a, b). */
export function rot90Sample(sample: Sample, names: string[], k: number, axes: [number, number], who: string): Sample {
  const turns = ((k % 4) + 4) % 4;
  if (turns === 0) return sample;
  const out: Sample = { ...sample };
  for (const key of names) {
    const img = getAnyImage(sample, key, who);
    const r = img.shape.length;
    const [a, b] = [axes[0] + 1, axes[1] + 1];
    if (a === b || a < 1 || b < 1 || a >= r || b >= r)
      throw new TransformError(`${who}: bad axes ${JSON.stringify(axes)} for [${img.shape.join(',')}]`);
    let data = img.data;
    let shape = img.shape;
    for (let t = 0; t < turns; t++) {
      // One turn: out[.., i_a = p, .., i_b = q, ..] = in[.., a = q, .., b = n_b − 1 − p, ..]
      const perm = [...Array(r).keys()];
      perm[a] = b;
      perm[b] = a;
      const rev = perm.map((_, j) => j === a);
      const res = remapAxes(data, shape, perm, rev);
      data = res.data;
      shape = res.shape;
    }
    out[key] = { ...img, data, shape };
  }
  return out;
}

export class Rot90 implements Transform {
  readonly deterministic = true;
  private readonly names: string[];
  constructor(private readonly opts: Rot90Options) {
    const { keys, masks } = resolveKeys(opts);
    this.names = [...keys, ...masks];
    if (!Number.isInteger(opts.k)) throw new TransformError(`Rot90: k must be an integer, got ${opts.k}`);
  }
  /** Refuses a sample with a label map this transform would not move (see checkUnlistedMasks). */
  check(sample: Sample): void {
    checkUnlistedMasks(sample, this.opts, 'Rot90');
  }
  apply(sample: Sample): Sample {
    this.check(sample);
    commonSpatialShape(sample, this.names, 'Rot90');
    return rot90Sample(sample, this.names, this.opts.k, this.opts.axes ?? [0, 1], 'Rot90');
  }
}

export interface RandRot90Options extends KeyOptions {
  /** k is drawn uniformly from 0..maxK (default 3). */
  maxK?: number;
  axes?: [number, number];
}

export class RandRot90 implements Transform {
  private readonly names: string[];
  constructor(private readonly opts: RandRot90Options = {}) {
    const { keys, masks } = resolveKeys(opts);
    this.names = [...keys, ...masks];
  }
  /** Refuses a sample with a label map this transform would not move (see checkUnlistedMasks). */
  check(sample: Sample): void {
    checkUnlistedMasks(sample, this.opts, 'RandRot90');
  }
  apply(sample: Sample, rng: Rng): Sample {
    this.check(sample);
    commonSpatialShape(sample, this.names, 'RandRot90');
    const k = rng.int((this.opts.maxK ?? 3) + 1);
    return rot90Sample(sample, this.names, k, this.opts.axes ?? [0, 1], 'RandRot90');
  }
}
