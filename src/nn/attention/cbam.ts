/**
 * CBAM, the Convolutional Block Attention Module (Woo et al., ECCV 2018): channel attention (a shared MLP
 * over average- and max-pooled features, summed, sigmoid) followed by spatial attention (channel-wise mean
 * and max, a k x k convolution, sigmoid). Each half is also usable alone.
 */
import { cat, type Tensor } from '../../tensor/index.js';
import { Conv2d, Conv3d } from '../layers/conv.js';
import { Linear } from '../layers/linear.js';
import { AttentionBlock, channelsToBroadcast, globalAvgPool, globalMaxPool } from './attention-block.js';

export class CBAMChannel extends AttentionBlock {
  readonly fc1: Linear;
  readonly fc2: Linear;
  constructor(
    readonly channels: number,
    config: { reduction?: number } = {},
  ) {
    super();
    const hidden = Math.max(1, Math.floor(channels / (config.reduction ?? 16)));
    this.fc1 = this.module('fc1', new Linear(channels, hidden));
    this.fc2 = this.module('fc2', new Linear(hidden, channels));
  }
  forward(x: Tensor): Tensor {
    const mlp = (v: Tensor) => this.fc2.forward(this.fc1.forward(v).relu());
    const w = mlp(globalAvgPool(x))
      .add(mlp(globalMaxPool(x)))
      .sigmoid();
    this.record('channel', w);
    return x.mul(channelsToBroadcast(w, x.ndim - 2));
  }
}

export class CBAMSpatial extends AttentionBlock {
  readonly conv: Conv2d | Conv3d;
  /** `channels` is unused (the block pools over channels) but kept so every block is built as create(name, C). */
  constructor(_channels: number, config: { kernelSize?: number; spatialDims?: 2 | 3 } = {}) {
    super();
    const k = config.kernelSize ?? 7;
    const Conv = (config.spatialDims ?? 2) === 3 ? Conv3d : Conv2d;
    this.conv = this.module('conv', new Conv(2, 1, k, { padding: (k - 1) / 2, bias: false }));
  }
  forward(x: Tensor): Tensor {
    const pooled = cat([x.mean(1, true), x.max(1, true)], 1);
    const w = this.conv.forward(pooled).sigmoid();
    this.record('spatial', w);
    return x.mul(w);
  }
}

/** Channel then spatial attention; its two gates record their own maps. */
export class CBAM extends AttentionBlock {
  readonly channelGate: CBAMChannel;
  readonly spatialGate: CBAMSpatial;
  constructor(channels: number, config: { reduction?: number; kernelSize?: number; spatialDims?: 2 | 3 } = {}) {
    super();
    this.channelGate = this.module('channel_gate', new CBAMChannel(channels, config));
    this.spatialGate = this.module('spatial_gate', new CBAMSpatial(channels, config));
  }
  forward(x: Tensor): Tensor {
    return this.spatialGate.forward(this.channelGate.forward(x));
  }
}
