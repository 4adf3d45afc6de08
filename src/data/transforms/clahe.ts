/**
 * CLAHE, contrast-limited adaptive histogram equalisation (Zuiderveld 1994), per channel of a 2D image: the
 * image is cut into a grid of `tiles` [rows, cols]; each tile's histogram of `bins` levels over `range` is
 * clipped at clipLimit x (tile pixels / bins), the excess spread evenly over all bins, and its cumulative
 * histogram becomes the tile's mapping; each pixel blends the mappings of the four nearest tile centres
 * bilinearly (clamped at the borders). Output stays in `range`. On fundus photographs (applied to the green
 * channel, see selectChannels) it raises the contrast of thin vessels against the background.
 */
import { mapImages, resolveKeys, TransformError, type Sample, type Transform } from './transform.js';

export interface ClaheOptions {
  keys?: string[];
  /** Tile grid [rows, cols]; default [8, 8] (OpenCV's). */
  tiles?: [number, number];
  /** Clip limit relative to a flat histogram (OpenCV's clipLimit); default 2. */
  clipLimit?: number;
  /** Histogram levels; default 256. */
  bins?: number;
  /** Value range of the input (and the output); default [0, 255], i.e. before toFloat's scaling. */
  range?: [number, number];
}

export class Clahe implements Transform {
  readonly deterministic = true;
  private readonly keys: string[];
  constructor(private readonly opts: ClaheOptions = {}) {
    this.keys = resolveKeys(opts).keys;
    const [ty, tx] = opts.tiles ?? [8, 8];
    if (![ty, tx].every((t) => Number.isInteger(t) && t >= 1))
      throw new TransformError(`clahe: tiles must be two positive integers, got ${JSON.stringify(opts.tiles)}`);
    if (!((opts.clipLimit ?? 2) > 0)) throw new TransformError(`clahe: clipLimit must be > 0, got ${opts.clipLimit}`);
    const bins = opts.bins ?? 256;
    if (!(Number.isInteger(bins) && bins >= 2))
      throw new TransformError(`clahe: bins must be an integer >= 2, got ${bins}`);
    const [lo, hi] = opts.range ?? [0, 255];
    if (!(hi > lo))
      throw new TransformError(`clahe: range must be [lo, hi] with lo < hi, got ${JSON.stringify(opts.range)}`);
  }
  apply(sample: Sample): Sample {
    return mapImages(sample, this.keys, 'clahe', (img) => {
      if (img.shape.length !== 3) throw new TransformError(`clahe: expects a 2D image [C,H,W], got [${img.shape}]`);
      const [c, h, w] = img.shape;
      const out = new Float32Array(img.data.length);
      for (let k = 0; k < c; k++)
        out.set(clahe2d(img.data.subarray(k * h * w, (k + 1) * h * w), h, w, this.opts), k * h * w);
      return out;
    });
  }
}

/** CLAHE of one [h, w] plane (see the module comment). */
export function clahe2d(src: Float32Array, h: number, w: number, opts: ClaheOptions = {}): Float32Array {
  const [ty, tx] = opts.tiles ?? [8, 8];
  const bins = opts.bins ?? 256;
  const [lo, hi] = opts.range ?? [0, 255];
  const clipLimit = opts.clipLimit ?? 2;
  const level = (v: number) => Math.min(bins - 1, Math.max(0, Math.round(((v - lo) / (hi - lo)) * (bins - 1))));
  const levels = new Int32Array(src.length);
  for (let i = 0; i < src.length; i++) levels[i] = level(src[i]);
  // tile t covers rows [floor(t h / ty), floor((t + 1) h / ty)), likewise for columns
  const rowStart = (t: number) => Math.floor((t * h) / ty);
  const colStart = (t: number) => Math.floor((t * w) / tx);
  const luts: Float64Array[] = [];
  for (let a = 0; a < ty; a++)
    for (let b = 0; b < tx; b++) {
      const hist = new Float64Array(bins);
      let n = 0;
      for (let y = rowStart(a); y < rowStart(a + 1); y++)
        for (let x = colStart(b); x < colStart(b + 1); x++) {
          hist[levels[y * w + x]]++;
          n++;
        }
      const limit = Math.max(1, (clipLimit * n) / bins);
      let excess = 0;
      for (let i = 0; i < bins; i++)
        if (hist[i] > limit) {
          excess += hist[i] - limit;
          hist[i] = limit;
        }
      const lut = new Float64Array(bins);
      let cdf = 0;
      for (let i = 0; i < bins; i++) {
        cdf += hist[i] + excess / bins;
        lut[i] = n > 0 ? (cdf / n) * (bins - 1) : i;
      }
      luts.push(lut);
    }
  const out = new Float32Array(src.length);
  const scale = (hi - lo) / (bins - 1);
  // tile centres sit at (t + 0.5) * size / tiles; a pixel blends the two nearest along each axis
  const neighbours = (p: number, size: number, tiles: number): [number, number, number] => {
    const f = ((p + 0.5) * tiles) / size - 0.5;
    const t0 = Math.max(0, Math.min(tiles - 1, Math.floor(f)));
    const t1 = Math.min(tiles - 1, t0 + 1);
    const wt = t1 === t0 ? 0 : Math.max(0, Math.min(1, f - t0));
    return [t0, t1, wt];
  };
  for (let y = 0; y < h; y++) {
    const [a0, a1, wy] = neighbours(y, h, ty);
    for (let x = 0; x < w; x++) {
      const [b0, b1, wx] = neighbours(x, w, tx);
      const v = levels[y * w + x];
      const top = luts[a0 * tx + b0][v] * (1 - wx) + luts[a0 * tx + b1][v] * wx;
      const bottom = luts[a1 * tx + b0][v] * (1 - wx) + luts[a1 * tx + b1][v] * wx;
      out[y * w + x] = lo + (top * (1 - wy) + bottom * wy) * scale;
    }
  }
  return out;
}
