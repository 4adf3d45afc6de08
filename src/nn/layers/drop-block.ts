import { F, randLike, type Tensor } from '../../tensor/index.js';
import { Module } from '../module.js';

/**
 * DropBlock (Ghiasi et al., NeurIPS 2018), 2D: in training, zeroes contiguous blockSize x blockSize regions of
 * each feature map (seeds drawn with rate gamma so that about `dropProb` of the positions are dropped) and
 * rescales by numel / kept; identity in eval. Thin vessels survive dropout of single pixels, not of blocks,
 * which is why SA-UNet uses it in place of dropout.
 */
export class DropBlock extends Module {
  constructor(
    readonly dropProb = 0.1,
    readonly blockSize = 7,
  ) {
    super();
    if (!(dropProb >= 0 && dropProb < 1))
      throw new RangeError(`DropBlock: dropProb must be in [0, 1), got ${dropProb}`);
    if (!(Number.isInteger(blockSize) && blockSize >= 1 && blockSize % 2 === 1))
      throw new RangeError(`DropBlock: blockSize must be an odd positive integer, got ${blockSize}`);
  }

  /** Seed rate of the paper: dropProb / b^2, corrected for the positions where a whole block fits. */
  gamma(height: number, width: number): number {
    const b = Math.min(this.blockSize, height, width);
    return (this.dropProb / (b * b)) * ((height * width) / ((height - b + 1) * (width - b + 1)));
  }

  forward(x: Tensor): Tensor {
    if (!this.training || this.dropProb === 0) return x;
    if (x.ndim !== 4) throw new Error(`DropBlock: expected [N, C, H, W], got [${x.shape}]`);
    return this.scoped(() => {
      const [h, w] = x.shape.slice(2);
      const seeds = randLike(x).lt(this.gamma(h, w)).float();
      const b = this.blockSize;
      // a seed drops the b x b block centred on it
      const dropped = growSeeds(seeds, b);
      const keep = dropped.rsub(1);
      const kept = keep.sum().item();
      return kept === 0 ? x.mul(0) : x.mul(keep).mul(keep.numel / kept);
    });
  }
}

/**
 * The b x b maximum filter of `seeds` [N, C, H, W] (b odd, zero outside): what max_pool2d with stride 1 and
 * padding (b - 1) / 2 computes, as windows that double along each axis (3 elementwise maxima per axis for b = 7).
 * libtorch's CPU max_pool2d at stride 1 visits all b^2 taps: 10x slower on a [16, 16, 96, 96] map (62 ms against
 * 6 ms, one thread), which made DropBlock half of an SA-UNet training step.
 */
export function growSeeds(seeds: Tensor, b: number): Tensor {
  const r = (b - 1) / 2;
  let m = r > 0 ? F.pad(seeds, [r, r, r, r]) : seeds;
  for (const dim of [3, 2]) {
    // m holds the maxima over windows of `width` along dim; two overlapping windows make one up to twice as wide
    for (let width = 1; width < b;) {
      const step = Math.min(width, b - width);
      const n = m.shape[dim] - step;
      m = m.narrow(dim, 0, n).maximum(m.narrow(dim, step, n));
      width += step;
    }
  }
  return m;
}
