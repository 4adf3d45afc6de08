/**
 * Colour jitter of an RGB (or grey) image, torchvision's ColorJitter without hue: brightness (x * b),
 * contrast (blend with the image mean), saturation (blend with the per-pixel grey, ITU-R 601 luma), each
 * factor drawn from [1 - v, 1 + v], applied in random order. Boxes and masks are untouched.
 */
import type { Rng } from './rng.js';
import { getImage, TransformError, withData, type Sample, type Transform } from './transform.js';

export interface RandColorJitterOptions {
  brightness?: number;
  contrast?: number;
  saturation?: number;
  keys?: string[];
}

export class RandColorJitter implements Transform {
  private readonly keys: string[];
  constructor(private readonly opts: RandColorJitterOptions) {
    this.keys = opts.keys ?? ['image'];
    for (const k of ['brightness', 'contrast', 'saturation'] as const) {
      const v = opts[k];
      if (v !== undefined && !(v >= 0 && v <= 1))
        throw new TransformError(`RandColorJitter: ${k} must be in [0, 1], got ${v}`);
    }
  }
  apply(sample: Sample, rng: Rng): Sample {
    const factor = (v = 0) => (v > 0 ? rng.uniform(1 - v, 1 + v) : 1);
    const ops = [
      { kind: 'brightness', f: factor(this.opts.brightness) },
      { kind: 'contrast', f: factor(this.opts.contrast) },
      { kind: 'saturation', f: factor(this.opts.saturation) },
    ];
    // Fisher-Yates order, as torchvision draws a permutation of the three.
    for (let i = ops.length - 1; i > 0; i--) {
      const j = rng.int(i + 1);
      [ops[i], ops[j]] = [ops[j], ops[i]];
    }
    const out: Sample = { ...sample };
    for (const key of this.keys) {
      const img = getImage(sample, key, 'RandColorJitter');
      const data = Float32Array.from(img.data);
      const [c] = img.shape;
      const n = data.length / c;
      for (const { kind, f } of ops) {
        if (f === 1) continue;
        if (kind === 'brightness') for (let i = 0; i < data.length; i++) data[i] *= f;
        else if (kind === 'contrast') {
          let mean = 0;
          for (let i = 0; i < n; i++) mean += c === 3 ? grey(data, i, n) : data[i];
          mean /= n;
          for (let i = 0; i < data.length; i++) data[i] = mean + (data[i] - mean) * f;
        } else if (c === 3)
          for (let i = 0; i < n; i++) {
            const g = grey(data, i, n);
            for (let ch = 0; ch < 3; ch++) data[ch * n + i] = g + (data[ch * n + i] - g) * f;
          }
      }
      out[key] = withData(img, data);
    }
    return out;
  }
}

function grey(data: Float32Array, i: number, n: number): number {
  return 0.299 * data[i] + 0.587 * data[n + i] + 0.114 * data[2 * n + i];
}
