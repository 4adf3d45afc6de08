/**
 * Elastic deformation (Simard et al. 2003): a displacement per pixel and axis drawn uniformly from [-1, 1],
 * smoothed by a Gaussian of σ `sigma` pixels (making it a smooth random warp) and scaled by `alpha` pixels;
 * the image is then resampled at (position + displacement). Images bilinear/trilinear, masks nearest (so
 * they stay binary). alpha and sigma are drawn per sample from their ranges. Works in 2D and 3D.
 *
 * Typical 2D values: alpha 30-40 with sigma 5-6 for 64-96 pixel patches (sigma much smaller than ~4 gives a
 * noisy, unrealistic field; alpha controls the amplitude of what survives the smoothing).
 */
import { gaussianSmooth } from './gaussian-filter.js';
import { warp, type PaddingMode } from './resample.js';
import type { Rng } from './rng.js';
import {
  checkRange,
  commonSpatialShape,
  getImage,
  resolveKeys,
  withData,
  type KeyOptions,
  type Sample,
  type Transform,
  checkUnlistedMasks,
} from './transform.js';

export interface RandElasticOptions extends KeyOptions {
  /** Displacement scale in pixels: a number or a [lo, hi] range drawn per sample. */
  alpha: number | [number, number];
  /** Smoothing σ in pixels: a number or a [lo, hi] range drawn per sample. */
  sigma: number | [number, number];
  padding?: PaddingMode;
}

export class RandElastic implements Transform {
  private readonly keys: string[];
  private readonly masks: string[];
  constructor(private readonly opts: RandElasticOptions) {
    ({ keys: this.keys, masks: this.masks } = resolveKeys(opts));
    if (Array.isArray(opts.alpha)) checkRange(opts.alpha, 'alpha', 'RandElastic');
    if (Array.isArray(opts.sigma)) checkRange(opts.sigma, 'sigma', 'RandElastic');
  }

  /** Refuses a sample with a label map this transform would not move (see checkUnlistedMasks). */
  check(sample: Sample): void {
    checkUnlistedMasks(sample, this.opts, 'RandElastic');
  }
  apply(sample: Sample, rng: Rng): Sample {
    this.check(sample);
    const size = commonSpatialShape(sample, [...this.keys, ...this.masks], 'RandElastic');
    const pick = (v: number | [number, number]): number => (typeof v === 'number' ? v : rng.uniform(v[0], v[1]));
    const alpha = pick(this.opts.alpha);
    const sigma = pick(this.opts.sigma);
    const maps = elasticMaps(size, alpha, sigma, rng);
    const padding = this.opts.padding ?? 'zeros';
    const out: Sample = { ...sample };
    for (const k of this.keys) {
      const img = getImage(sample, k, 'RandElastic');
      out[k] = withData(img, warp(img.data, img.shape, maps, 'linear', padding));
    }
    for (const k of this.masks) {
      const img = getImage(sample, k, 'RandElastic');
      out[k] = withData(img, warp(img.data, img.shape, maps, 'nearest', padding));
    }
    return out;
  }
}

/**
 * Source coordinate maps (identity + smoothed random displacement), one per spatial axis.
 *
 * The field is smooth on the scale of σ, so it is made on a grid coarser by f = max(1, floor(σ / 2)) (noise
 * there smoothed with σ / f, divided by f so its amplitude matches full-resolution smoothing: the variance of
 * smoothed white noise scales with 1/σ² per 2 axes) and interpolated back linearly. For σ >= 4 this cuts the
 * cost by f^d·f while the field is indistinguishable in distribution; for σ < 4 it is computed exactly.
 */
export function elasticMaps(size: number[], alpha: number, sigma: number, rng: Rng): Float64Array[] {
  const d = size.length;
  const n = size.reduce((a, b) => a * b, 1);
  const f = Math.max(1, Math.floor(sigma / 2));
  const coarse = size.map((s) => Math.ceil((s - 1) / f) + 1);
  const cn = coarse.reduce((a, b) => a * b, 1);
  // All d displacement fields are smoothed in one call as the d "channels" of one array.
  const noise = new Float32Array(d * cn);
  for (let i = 0; i < noise.length; i++) noise[i] = rng.uniform(-1, 1);
  const field = gaussianSmooth(noise, [d, ...coarse], sigma / f);
  const gain = alpha / Math.pow(f, d / 2);
  const maps = size.map(() => new Float64Array(n));
  if (d === 2 && f > 1) {
    // 2D fast path: bilinear upsampling with per-row and per-column taps computed once.
    const [H, W] = size;
    const [cH, cW] = coarse;
    for (let y = 0; y < H; y++) {
      const y0 = Math.min(Math.floor(y / f), cH - 1);
      const y1 = Math.min(y0 + 1, cH - 1);
      const fy = y / f - y0;
      for (let x = 0; x < W; x++) {
        const x0 = Math.min(Math.floor(x / f), cW - 1);
        const x1 = Math.min(x0 + 1, cW - 1);
        const fx = x / f - x0;
        const i = y * W + x;
        for (let a = 0; a < 2; a++) {
          const b = a * cn;
          const top = field[b + y0 * cW + x0] + fx * (field[b + y0 * cW + x1] - field[b + y0 * cW + x0]);
          const bot = field[b + y1 * cW + x0] + fx * (field[b + y1 * cW + x1] - field[b + y1 * cW + x0]);
          maps[a][i] = (a === 0 ? y : x) + gain * (top + fy * (bot - top));
        }
      }
    }
    return maps;
  }
  const idx = new Array<number>(d).fill(0);
  const pos = new Array<number>(d).fill(0);
  for (let i = 0; i < n; i++) {
    for (let a = 0; a < d; a++) pos[a] = idx[a] / f;
    for (let a = 0; a < d; a++)
      maps[a][i] = idx[a] + gain * (f === 1 ? field[a * n + i] : sampleLinear(field, a * cn, coarse, pos));
    for (let a = d - 1; a >= 0; a--) {
      if (++idx[a] < size[a]) break;
      idx[a] = 0;
    }
  }
  return maps;
}

/** Multilinear interpolation of one channel (offset `base`) of a grid of `shape` at fractional `pos`. */
function sampleLinear(grid: Float32Array, base: number, shape: number[], pos: number[]): number {
  const d = shape.length;
  let acc = 0;
  for (let corner = 0; corner < 1 << d; corner++) {
    let w = 1;
    let off = 0;
    for (let a = 0; a < d; a++) {
      const i0 = Math.min(Math.floor(pos[a]), shape[a] - 1);
      const fr = pos[a] - i0;
      const hi = (corner >> a) & 1;
      const i = Math.min(i0 + hi, shape[a] - 1);
      w *= hi ? fr : 1 - fr;
      off = off * shape[a] + i;
    }
    if (w !== 0) acc += w * grid[base + off];
  }
  return acc;
}
