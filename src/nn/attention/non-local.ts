/**
 * Non-local self-attention for feature maps (Wang et al., "Non-local Neural Networks", CVPR 2018, embedded
 * Gaussian form), with the learned residual scale gamma of SAGAN (Zhang et al. 2019) initialised to 0 so the
 * block is the identity at initialisation: z = x + gamma * W(softmax(theta(x)^T phi(x)) g(x)).
 * theta, phi, g and W are 1x1 convolutions; positions attend to all positions of the same image.
 */
import { zeros, type Tensor } from '../../tensor/index.js';
import { Conv2d, Conv3d } from '../layers/conv.js';
import { AttentionBlock } from './attention-block.js';

export interface NonLocalConfig {
  /** Channels of the query/key/value embeddings (default C/2, at least 1). */
  innerChannels?: number;
  spatialDims?: 2 | 3;
}

export class NonLocal extends AttentionBlock {
  readonly theta: Conv2d | Conv3d;
  readonly phi: Conv2d | Conv3d;
  readonly g: Conv2d | Conv3d;
  readonly out: Conv2d | Conv3d;
  readonly gamma: Tensor;
  readonly inner: number;
  constructor(
    readonly channels: number,
    config: NonLocalConfig = {},
  ) {
    super();
    this.inner = config.innerChannels ?? Math.max(1, Math.floor(channels / 2));
    const Conv = (config.spatialDims ?? 2) === 3 ? Conv3d : Conv2d;
    this.theta = this.module('theta', new Conv(channels, this.inner, 1));
    this.phi = this.module('phi', new Conv(channels, this.inner, 1));
    this.g = this.module('g', new Conv(channels, this.inner, 1));
    this.out = this.module('out', new Conv(this.inner, channels, 1));
    this.gamma = this.param('gamma', zeros([1]));
  }
  forward(x: Tensor): Tensor {
    const n = x.shape[0];
    const spatial = x.shape.slice(2);
    const positions = spatial.reduce((a, b) => a * b, 1);
    const q = this.theta.forward(x).reshape([n, this.inner, positions]).transpose(1, 2); // [N, P, C']
    const k = this.phi.forward(x).reshape([n, this.inner, positions]); // [N, C', P]
    const v = this.g.forward(x).reshape([n, this.inner, positions]).transpose(1, 2); // [N, P, C']
    const weights = q.matmul(k).softmax(-1); // [N, P, P], each row sums to 1
    if (this.captureAttention) {
      // How much attention each position receives, averaged over queries: a spatial map of what mattered.
      this.record('spatial', weights.mean(1).reshape([n, 1, ...spatial]));
    }
    const y = weights
      .matmul(v)
      .transpose(1, 2)
      .reshape([n, this.inner, ...spatial]);
    return x.add(this.out.forward(y).mul(this.gamma));
  }
}
