/**
 * scSE, concurrent spatial and channel squeeze & excitation (Roy, Navab & Wachinger, MICCAI 2018 / IEEE TMI
 * 2019): a channel gate (cSE: global pooling, bottleneck MLP, sigmoid) and a spatial gate (sSE: 1x1
 * convolution to one map, sigmoid) applied in parallel and summed, x * cSE + x * sSE (the paper's
 * "addition" aggregation, as segmentation_models_pytorch). 2D or 3D.
 */
import { type Tensor } from '../../tensor/index.js';
import { Conv2d, Conv3d } from '../layers/conv.js';
import { Linear } from '../layers/linear.js';
import { AttentionBlock, channelsToBroadcast, globalAvgPool } from './attention-block.js';

export interface SCSEConfig {
  reduction?: number;
  spatialDims?: 2 | 3;
}

export class SCSE extends AttentionBlock {
  readonly fc1: Linear;
  readonly fc2: Linear;
  readonly spatial: Conv2d | Conv3d;
  constructor(
    readonly channels: number,
    config: SCSEConfig = {},
  ) {
    super();
    const hidden = Math.max(1, Math.floor(channels / (config.reduction ?? 16)));
    this.fc1 = this.module('fc1', new Linear(channels, hidden));
    this.fc2 = this.module('fc2', new Linear(hidden, channels));
    const Conv = (config.spatialDims ?? 2) === 3 ? Conv3d : Conv2d;
    this.spatial = this.module('spatial', new Conv(channels, 1, 1));
  }
  forward(x: Tensor): Tensor {
    const c = this.fc2.forward(this.fc1.forward(globalAvgPool(x)).relu()).sigmoid(); // [N, C]
    const s = this.spatial.forward(x).sigmoid(); // [N, 1, ...]
    this.record('channel', c);
    this.record('spatial', s);
    return x.mul(channelsToBroadcast(c, x.ndim - 2).add(s));
  }
}
