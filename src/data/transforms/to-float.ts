/**
 * Converts images to Float32 (the type every other transform produces), e.g. uint8 X-rays → [0, 1] with
 * `scale: 1/255`. Masks listed in `masks` become exactly 0/1 (any value > 0 is foreground) when `binarize`
 * is set (DRIVE and ISBI masks store foreground as 255), otherwise they are converted unscaled.
 */
import type { Sample, Transform } from './transform.js';
import { getAnyImage, resolveKeys, withData, type KeyOptions } from './transform.js';

export interface ToFloatOptions extends KeyOptions {
  /** Multiplier for `keys` (default 1). */
  scale?: number;
  /** Masks: value > 0 → 1, else 0 (default true). */
  binarize?: boolean;
}

export class ToFloat implements Transform {
  readonly deterministic = true;
  private readonly keys: string[];
  private readonly masks: string[];
  constructor(private readonly opts: ToFloatOptions = {}) {
    ({ keys: this.keys, masks: this.masks } = resolveKeys(opts));
  }
  apply(sample: Sample): Sample {
    const scale = this.opts.scale ?? 1;
    const out: Sample = { ...sample };
    for (const k of this.keys) {
      const img = getAnyImage(sample, k, 'ToFloat');
      const d = new Float32Array(img.data.length);
      for (let i = 0; i < d.length; i++) d[i] = img.data[i] * scale;
      out[k] = withData(img, d);
    }
    for (const k of this.masks) {
      const img = getAnyImage(sample, k, 'ToFloat');
      const d = new Float32Array(img.data.length);
      if (this.opts.binarize ?? true) for (let i = 0; i < d.length; i++) d[i] = img.data[i] > 0 ? 1 : 0;
      else for (let i = 0; i < d.length; i++) d[i] = img.data[i];
      out[k] = withData(img, d);
    }
    return out;
  }
}
