/**
 * Random crop of a fixed spatial size (patch sampling), applied at the same place to every key and mask.
 *
 * With `foreground: { key, p }`, a fraction p of crops is centred on a random foreground pixel (value > 0) of
 * the mask `key`: thin structures such as retinal vessels cover a few percent of the image, and uniformly
 * placed patches would rarely contain them. The window is then shifted to stay inside the image. Axes smaller
 * than `size` are zero padded (centred), so small images still give full-size patches.
 */
import { extractRegion } from './crop-or-pad.js';
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

export interface RandCropOptions extends KeyOptions {
  /** Patch spatial size: [H, W] or [D, H, W]. */
  size: number[];
  /** Bias towards foreground: centre on a pixel > 0 of mask `key` with probability `p`. */
  foreground?: { key: string; p: number };
}

export class RandCrop implements Transform {
  private readonly names: string[];
  constructor(private readonly opts: RandCropOptions) {
    if (!Array.isArray(opts.size) || opts.size.some((s) => !Number.isInteger(s) || s < 1)) {
      throw new TransformError(`RandCrop: size must be positive integers, got ${JSON.stringify(opts.size)}`);
    }
    const fg = opts.foreground;
    if (fg && !(fg.p >= 0 && fg.p <= 1))
      throw new TransformError(`RandCrop: foreground.p must be in [0, 1], got ${fg.p}`);
    const { keys, masks } = resolveKeys(opts);
    this.names = [...keys, ...masks];
  }

  /** Refuses a sample with a label map this transform would not move (see checkUnlistedMasks). */
  check(sample: Sample): void {
    checkUnlistedMasks(sample, this.opts, 'RandCrop');
  }
  apply(sample: Sample, rng: Rng): Sample {
    this.check(sample);
    const size = this.opts.size;
    const spatial = commonSpatialShape(sample, this.names, 'RandCrop');
    if (spatial.length !== size.length) {
      throw new TransformError(`RandCrop: size has ${size.length} axes, images have ${spatial.length}`);
    }
    let centre: number[] | undefined;
    const fg = this.opts.foreground;
    if (fg && rng.bernoulli(fg.p)) centre = randomForeground(sample, fg.key, spatial, rng);
    const start = spatial.map((s, i) => {
      if (s <= size[i]) return -Math.floor((size[i] - s) / 2);
      const hi = s - size[i];
      if (centre) return Math.min(Math.max(centre[i] - Math.floor(size[i] / 2), 0), hi);
      return rng.int(hi + 1);
    });
    const out: Sample = { ...sample };
    for (const k of this.names) out[k] = extractRegion(getAnyImage(sample, k, 'RandCrop'), start, size);
    return out;
  }
}

/** Spatial index of a uniformly chosen pixel > 0 (any channel) of mask `key`, or undefined if none. */
function randomForeground(sample: Sample, key: string, spatial: number[], rng: Rng): number[] | undefined {
  const m = getAnyImage(sample, key, 'RandCrop');
  const plane = spatial.reduce((a, b) => a * b, 1);
  if (m.shape.slice(1).some((s, i) => s !== spatial[i])) {
    throw new TransformError(
      `RandCrop: foreground mask "${key}" has spatial shape [${m.shape.slice(1).join(',')}], images [${spatial.join(',')}]`,
    );
  }
  const data = m.data;
  // Rejection sampling first (uniform over foreground, and cheap when foreground is not rare); a full scan
  // only for sparse masks.
  let flat = -1;
  for (let tries = 0; tries < 64 && flat < 0; tries++) {
    const i = rng.int(data.length);
    if (data[i] > 0) flat = i % plane;
  }
  if (flat < 0) flat = scanForeground(data, plane, rng);
  if (flat < 0) return undefined;
  const idx = new Array<number>(spatial.length);
  for (let a = spatial.length - 1; a >= 0; a--) {
    idx[a] = flat % spatial[a];
    flat = Math.floor(flat / spatial[a]);
  }
  return idx;
}

/** Spatial flat index of a uniformly chosen pixel > 0, by counting; -1 if none. */
function scanForeground(data: ArrayLike<number>, plane: number, rng: Rng): number {
  let count = 0;
  for (let i = 0; i < data.length; i++) if (data[i] > 0) count++;
  if (count === 0) return -1;
  let k = rng.int(count);
  for (let i = 0; i < data.length; i++) if (data[i] > 0 && k-- === 0) return i % plane;
  return -1;
}
