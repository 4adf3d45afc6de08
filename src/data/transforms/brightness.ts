/** Random brightness: adds one offset, drawn from `offset` [lo, hi] per sample, to every pixel of the images. */
import type { Rng } from './rng.js';
import { checkRange, mapImages, resolveKeys, type Sample, type Transform } from './transform.js';

export interface RandBrightnessOptions {
  keys?: string[];
  offset: [number, number];
}

export class RandBrightness implements Transform {
  private readonly keys: string[];
  constructor(private readonly opts: RandBrightnessOptions) {
    this.keys = resolveKeys(opts).keys;
    checkRange(opts.offset, 'offset', 'RandBrightness');
  }
  apply(sample: Sample, rng: Rng): Sample {
    const b = rng.uniform(this.opts.offset[0], this.opts.offset[1]);
    return mapImages(sample, this.keys, 'RandBrightness', (img) => {
      const out = new Float32Array(img.data.length);
      for (let i = 0; i < out.length; i++) out[i] = img.data[i] + b;
      return out;
    });
  }
}
