/**
 * Display windowing (radiology "window level/width"): intensities in [center − width/2, center + width/2]
 * map linearly to [outMin, outMax] (default [0, 1]); values outside are clipped. E.g. a CT lung window is
 * center −600, width 1500.
 */
import { scaleRange } from './scale-intensity-range.js';
import { mapImages, resolveKeys, TransformError, type Sample, type Transform } from './transform.js';

export interface WindowOptions {
  keys?: string[];
  center: number;
  width: number;
  outMin?: number;
  outMax?: number;
}

export class Window implements Transform {
  readonly deterministic = true;
  private readonly keys: string[];
  constructor(private readonly opts: WindowOptions) {
    this.keys = resolveKeys(opts).keys;
    if (!(opts.width > 0)) throw new TransformError(`Window: width must be > 0, got ${opts.width}`);
  }
  apply(sample: Sample): Sample {
    const { center, width, outMin = 0, outMax = 1 } = this.opts;
    return mapImages(sample, this.keys, 'Window', (img) => {
      const out = new Float32Array(img.data.length);
      scaleRange(img.data, 0, out.length, out, center - width / 2, center + width / 2, outMin, outMax, true);
      return out;
    });
  }
}
