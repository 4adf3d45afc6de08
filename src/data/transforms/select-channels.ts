/**
 * Keeps the listed channels of each image, in the order given: e.g. `[1]` keeps the green channel of an RGB
 * fundus photograph, where vessels have the most contrast (the red is saturated, the blue noisy).
 */
import { getImage, resolveKeys, TransformError, withData, type Sample, type Transform } from './transform.js';

export interface SelectChannelsOptions {
  keys?: string[];
  channels: number[];
}

export class SelectChannels implements Transform {
  readonly deterministic = true;
  private readonly keys: string[];
  constructor(private readonly opts: SelectChannelsOptions) {
    this.keys = resolveKeys(opts).keys;
    if (
      !Array.isArray(opts.channels) ||
      !opts.channels.length ||
      opts.channels.some((c) => !(Number.isInteger(c) && c >= 0))
    )
      throw new TransformError(
        `selectChannels: channels must be a non-empty list of channel indices, got ${JSON.stringify(opts.channels)}`,
      );
  }
  apply(sample: Sample): Sample {
    const out: Sample = { ...sample };
    for (const key of this.keys) {
      const img = getImage(sample, key, 'selectChannels');
      const [c, ...spatial] = img.shape;
      const plane = spatial.reduce((a, b) => a * b, 1);
      const data = new Float32Array(this.opts.channels.length * plane);
      this.opts.channels.forEach((k, i) => {
        if (k >= c) throw new TransformError(`selectChannels: "${key}" has ${c} channels, channel ${k} asked for`);
        data.set(img.data.subarray(k * plane, (k + 1) * plane), i * plane);
      });
      out[key] = withData(img, data, [this.opts.channels.length, ...spatial]);
    }
    return out;
  }
}
