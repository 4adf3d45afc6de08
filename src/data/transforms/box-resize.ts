/** Resizes a 2D image to [H, W] and scales its boxes by the same factors per axis (`boxResize`). */
import { getBoxes, mapBoxes } from './box-list.js';
import { Resize } from './resize.js';
import { commonSpatialShape, TransformError, type Sample, type Transform } from './transform.js';

export interface BoxResizeOptions {
  /** Output size [H, W]. */
  size: number[];
  keys?: string[];
}

export class BoxResize implements Transform {
  readonly deterministic = true;
  private readonly resize: Resize;
  private readonly keys: string[];
  constructor(private readonly opts: BoxResizeOptions) {
    if (!Array.isArray(opts.size) || opts.size.length !== 2)
      throw new TransformError(`BoxResize: size must be [H, W], got ${JSON.stringify(opts.size)}`);
    this.keys = opts.keys ?? ['image'];
    this.resize = new Resize({ keys: this.keys, size: opts.size });
  }
  apply(sample: Sample): Sample {
    const [h, w] = commonSpatialShape(sample, this.keys, 'BoxResize');
    const list = getBoxes(sample, 'BoxResize');
    const [oh, ow] = this.opts.size;
    const out = this.resize.apply(sample);
    out.boxes = mapBoxes(list, (x, y) => [(x * ow) / w, (y * oh) / h], ow, oh, 0);
    return out;
  }
}
