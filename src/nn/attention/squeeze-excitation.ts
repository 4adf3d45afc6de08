/**
 * Squeeze-and-excitation channel attention (Hu et al., "Squeeze-and-Excitation Networks", CVPR 2018):
 * global average pooling, a bottleneck MLP (C -> C/r -> C) and a sigmoid give one weight per channel that
 * rescales the feature map. Works for 2D and 3D feature maps.
 */
import { type Tensor } from '../../tensor/index.js';
import { Linear } from '../layers/linear.js';
import { AttentionBlock, channelsToBroadcast, globalAvgPool } from './attention-block.js';

export interface SEConfig {
  /** Reduction ratio r of the bottleneck (16 in the paper; at least `minHidden` hidden units). */
  reduction?: number;
  minHidden?: number;
}

export class SqueezeExcitation extends AttentionBlock {
  readonly fc1: Linear;
  readonly fc2: Linear;
  constructor(
    readonly channels: number,
    config: SEConfig = {},
  ) {
    super();
    const hidden = Math.max(config.minHidden ?? 1, Math.floor(channels / (config.reduction ?? 16)));
    this.fc1 = this.module('fc1', new Linear(channels, hidden));
    this.fc2 = this.module('fc2', new Linear(hidden, channels));
  }
  forward(x: Tensor): Tensor {
    const s = globalAvgPool(x);
    const h = this.fc1.forward(s).relu();
    const w = this.fc2.forward(h).sigmoid();
    this.record('channel', w);
    return x.mul(channelsToBroadcast(w, x.ndim - 2));
  }
}
