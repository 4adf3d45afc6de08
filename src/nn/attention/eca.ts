/**
 * ECA, Efficient Channel Attention (Wang et al., "ECA-Net", CVPR 2020): global average pooling, then a 1D
 * convolution across channels (no dimensionality reduction) and a sigmoid. The kernel size adapts to the
 * channel count, k = |(log2(C) + b) / gamma| rounded to the next odd number (gamma = 2, b = 1).
 * Works for 2D and 3D feature maps. Parameter: `conv.weight` [1, 1, k], as in the official code.
 */
import { type Tensor } from '../../tensor/index.js';
import { Conv1d } from '../layers/conv.js';
import { AttentionBlock, channelsToBroadcast, globalAvgPool } from './attention-block.js';

export interface ECAConfig {
  /** Fixed kernel size (odd); default adaptive from the channel count. */
  kernelSize?: number;
  gamma?: number;
  b?: number;
}

export function ecaKernelSize(channels: number, gamma = 2, b = 1): number {
  const t = Math.trunc(Math.abs((Math.log2(channels) + b) / gamma));
  return t % 2 ? t : t + 1;
}

export class ECA extends AttentionBlock {
  readonly conv: Conv1d;
  readonly kernelSize: number;
  constructor(
    readonly channels: number,
    config: ECAConfig = {},
  ) {
    super();
    this.kernelSize = config.kernelSize ?? ecaKernelSize(channels, config.gamma, config.b);
    if (this.kernelSize % 2 !== 1) throw new Error(`ECA: kernelSize must be odd, got ${this.kernelSize}`);
    this.conv = this.module(
      'conv',
      new Conv1d(1, 1, this.kernelSize, { padding: (this.kernelSize - 1) / 2, bias: false }),
    );
  }
  forward(x: Tensor): Tensor {
    const w = this.conv.forward(globalAvgPool(x).unsqueeze(1)).squeeze(1).sigmoid(); // [N, C]
    this.record('channel', w);
    return x.mul(channelsToBroadcast(w, x.ndim - 2));
  }
}
