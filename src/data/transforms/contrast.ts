/**
 * Random contrast: scales each channel's deviation from its mean by a factor drawn from `factor` [lo, hi]
 * per sample, x' = mean + f·(x − mean). The mean intensity is kept, so contrast and brightness stay separate.
 */
import type { Rng } from './rng.js';
import { checkRange, mapImages, resolveKeys, type Sample, type Transform } from './transform.js';

export interface RandContrastOptions {
  keys?: string[];
  factor: [number, number];
}

export class RandContrast implements Transform {
  private readonly keys: string[];
  constructor(private readonly opts: RandContrastOptions) {
    this.keys = resolveKeys(opts).keys;
    checkRange(opts.factor, 'factor', 'RandContrast');
  }
  apply(sample: Sample, rng: Rng): Sample {
    const f = rng.uniform(this.opts.factor[0], this.opts.factor[1]);
    return mapImages(sample, this.keys, 'RandContrast', (img) => adjustContrast(img.data, img.shape[0], f));
  }
}

/** x' = mean_c + f·(x − mean_c) per channel c. */
export function adjustContrast(src: Float32Array, C: number, f: number): Float32Array {
  const out = new Float32Array(src.length);
  const n = src.length / C;
  for (let c = 0; c < C; c++) {
    let sum = 0;
    for (let i = c * n; i < (c + 1) * n; i++) sum += src[i];
    const m = sum / n;
    for (let i = c * n; i < (c + 1) * n; i++) out[i] = m + f * (src[i] - m);
  }
  return out;
}
