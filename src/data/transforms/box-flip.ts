/**
 * Random horizontal/vertical flip of a 2D image with its boxes (`randBoxFlip`): x -> W - x for a horizontal
 * flip, y -> H - y for a vertical one, so a box keeps its size and stays inside the image.
 */
import { getBoxes, mapBoxes } from './box-list.js';
import { Flip } from './flip.js';
import type { Rng } from './rng.js';
import { commonSpatialShape, TransformError, type Sample, type Transform } from './transform.js';

export interface RandBoxFlipOptions {
  /** Probability of a horizontal flip (default 0.5). */
  horizontal?: number;
  /** Probability of a vertical flip (default 0: set it for images without an up, such as smears). */
  vertical?: number;
  keys?: string[];
}

export class RandBoxFlip implements Transform {
  private readonly keys: string[];
  constructor(private readonly opts: RandBoxFlipOptions = {}) {
    this.keys = opts.keys ?? ['image'];
    for (const k of ['horizontal', 'vertical'] as const) {
      const p = opts[k];
      if (p !== undefined && !(p >= 0 && p <= 1))
        throw new TransformError(`RandBoxFlip: ${k} must be a probability in [0, 1], got ${p}`);
    }
  }
  apply(sample: Sample, rng: Rng): Sample {
    const [h, w] = commonSpatialShape(sample, this.keys, 'RandBoxFlip');
    const list = getBoxes(sample, 'RandBoxFlip');
    const fx = rng.bernoulli(this.opts.horizontal ?? 0.5);
    const fy = rng.bernoulli(this.opts.vertical ?? 0);
    const axes = [...(fy ? [0] : []), ...(fx ? [1] : [])];
    if (axes.length === 0) return sample;
    const out = new Flip({ keys: this.keys, axes }).apply(sample);
    out.boxes = mapBoxes(list, (x, y) => [fx ? w - x : x, fy ? h - y : y], w, h, 0);
    return out;
  }
}
