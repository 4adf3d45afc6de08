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
      // a seed drops the b x b block centred on it; max-pooling with stride 1 grows seeds into blocks
      const dropped = F.maxPool2d(seeds, b, { stride: 1, padding: (b - 1) / 2 });
      const keep = dropped.rsub(1);
      const kept = keep.sum().item();
      return kept === 0 ? x.mul(0) : x.mul(keep).mul(keep.numel / kept);
    });
  }
}
