/**
 * Additive Gaussian noise on intensity images: x' = x + N(mean, std²) per pixel, with std fixed or drawn per
 * sample from [lo, hi] (sensor/quantum noise of varying strength).
 */
import type { Rng } from './rng.js';
import { checkRange, mapImages, resolveKeys, type Sample, type Transform } from './transform.js';

export interface RandGaussianNoiseOptions {
  keys?: string[];
  std: number | [number, number];
  mean?: number;
}

export class RandGaussianNoise implements Transform {
  private readonly keys: string[];
  constructor(private readonly opts: RandGaussianNoiseOptions) {
    this.keys = resolveKeys(opts).keys;
    if (Array.isArray(opts.std)) checkRange(opts.std, 'std', 'RandGaussianNoise');
  }
  apply(sample: Sample, rng: Rng): Sample {
    const { std, mean = 0 } = this.opts;
    const s = typeof std === 'number' ? std : rng.uniform(std[0], std[1]);
    return mapImages(sample, this.keys, 'RandGaussianNoise', (img) => {
      const out = new Float32Array(img.data.length);
      for (let i = 0; i < out.length; i++) out[i] = img.data[i] + mean + s * rng.normal();
      return out;
    });
  }
}
