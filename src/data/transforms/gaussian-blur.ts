/**
 * Gaussian blur of intensity images (never masks). `GaussianBlur` uses a fixed σ (pixels, one value or one
 * per spatial axis); `RandGaussianBlur` draws σ per sample from [lo, hi] (same σ on every axis), simulating
 * focus and resolution differences between scanners.
 */
import { gaussianSmooth } from './gaussian-filter.js';
import type { Rng } from './rng.js';
import { checkRange, mapImages, resolveKeys, type Sample, type Transform } from './transform.js';

export interface GaussianBlurOptions {
  keys?: string[];
  sigma: number | number[];
}

export class GaussianBlur implements Transform {
  readonly deterministic = true;
  private readonly keys: string[];
  constructor(private readonly opts: GaussianBlurOptions) {
    this.keys = resolveKeys(opts).keys;
  }
  apply(sample: Sample): Sample {
    return mapImages(sample, this.keys, 'GaussianBlur', (img) => gaussianSmooth(img.data, img.shape, this.opts.sigma));
  }
}

export interface RandGaussianBlurOptions {
  keys?: string[];
  /** σ range in pixels, e.g. [0.25, 1.5]. */
  sigma: [number, number];
}

export class RandGaussianBlur implements Transform {
  private readonly keys: string[];
  constructor(private readonly opts: RandGaussianBlurOptions) {
    this.keys = resolveKeys(opts).keys;
    checkRange(opts.sigma, 'sigma', 'RandGaussianBlur');
  }
  apply(sample: Sample, rng: Rng): Sample {
    const s = rng.uniform(this.opts.sigma[0], this.opts.sigma[1]);
    return mapImages(sample, this.keys, 'RandGaussianBlur', (img) => gaussianSmooth(img.data, img.shape, s));
  }
}
