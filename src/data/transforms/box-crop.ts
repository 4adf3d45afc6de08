/**
 * Random crop of a 2D image to [H, W] with its boxes (`randBoxCrop`): the window is placed uniformly (zero
 * padded where the image is smaller), boxes are shifted into it, clipped, and dropped when less than
 * `minVisible` of their area is left.
 */
import { getBoxes, mapBoxes } from './box-list.js';
import { extractRegion } from './crop-or-pad.js';
import type { Rng } from './rng.js';
import { commonSpatialShape, getAnyImage, TransformError, type Sample, type Transform } from './transform.js';

export interface RandBoxCropOptions {
  size: number[];
  minVisible?: number;
  keys?: string[];
}

export class RandBoxCrop implements Transform {
  private readonly keys: string[];
  constructor(private readonly opts: RandBoxCropOptions) {
    this.keys = opts.keys ?? ['image'];
    if (!Array.isArray(opts.size) || opts.size.length !== 2 || opts.size.some((s) => !Number.isInteger(s) || s < 1))
      throw new TransformError(`RandBoxCrop: size must be [H, W] positive integers, got ${JSON.stringify(opts.size)}`);
  }
  apply(sample: Sample, rng: Rng): Sample {
    const [h, w] = commonSpatialShape(sample, this.keys, 'RandBoxCrop');
    const list = getBoxes(sample, 'RandBoxCrop');
    const [ch, cw] = this.opts.size;
    // Start of the window; negative when the image is smaller (centred padding).
    const y0 = h >= ch ? rng.int(h - ch + 1) : -Math.floor((ch - h) / 2);
    const x0 = w >= cw ? rng.int(w - cw + 1) : -Math.floor((cw - w) / 2);
    const out: Sample = { ...sample };
    for (const k of this.keys) out[k] = extractRegion(getAnyImage(sample, k, 'RandBoxCrop'), [y0, x0], [ch, cw]);
    out.boxes = mapBoxes(list, (x, y) => [x - x0, y - y0], cw, ch, this.opts.minVisible ?? 0.3);
    return out;
  }
}
