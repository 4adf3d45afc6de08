/**
 * Attention gate (Oktay et al., "Attention U-Net: Learning Where to Look for the Pancreas", MIDL 2018):
 * additive attention between skip features x (fine) and a gating signal g (coarser, from the decoder).
 * x is brought to g's resolution by a strided convolution (theta), g is projected by a 1x1 convolution (phi),
 * q = psi(relu(theta(x) + phi(g))), the sigmoid coefficients alpha = sigmoid(q) are resampled (bi/trilinear)
 * to the skip resolution and scale x; a 1x1 convolution + batch norm (W) transforms the gated features.
 * 2D and 3D.
 */
import { F, type Tensor } from '../../tensor/index.js';
import { Conv2d, Conv3d } from '../layers/conv.js';
import { BatchNorm } from '../layers/normalization.js';
import { Module } from '../module.js';
import { AttentionBlock } from './attention-block.js';

export interface AttentionGateConfig {
  /** Channels of the gating signal (default: the skip channels). */
  gatingChannels?: number;
  /** Channels of the intermediate space (default: skip channels / 2, at least 1). */
  innerChannels?: number;
  /** Resolution ratio between skip and gating signal (default 2). */
  subsample?: number;
  spatialDims?: 2 | 3;
}

class ConvBN extends Module {
  readonly conv: Conv2d | Conv3d;
  readonly bn: BatchNorm;
  constructor(Conv: typeof Conv2d | typeof Conv3d, cin: number, cout: number) {
    super();
    this.conv = this.module('0', new Conv(cin, cout, 1));
    this.bn = this.module('1', new BatchNorm(cout));
  }
  forward(x: Tensor): Tensor {
    return this.bn.forward(this.conv.forward(x));
  }
}

export class AttentionGate extends AttentionBlock {
  readonly theta: Conv2d | Conv3d;
  readonly phi: Conv2d | Conv3d;
  readonly psi: Conv2d | Conv3d;
  readonly W: ConvBN;
  readonly spatialDims: 2 | 3;
  constructor(
    readonly channels: number,
    config: AttentionGateConfig = {},
  ) {
    super();
    this.spatialDims = config.spatialDims ?? 2;
    const Conv = this.spatialDims === 3 ? Conv3d : Conv2d;
    const gating = config.gatingChannels ?? channels;
    const inner = config.innerChannels ?? Math.max(1, Math.floor(channels / 2));
    const sub = config.subsample ?? 2;
    this.theta = this.module('theta', new Conv(channels, inner, sub, { stride: sub, bias: false }));
    this.phi = this.module('phi', new Conv(gating, inner, 1));
    this.psi = this.module('psi', new Conv(inner, 1, 1));
    this.W = this.module('W', new ConvBN(Conv, channels, channels));
  }
  /** x: skip features [N, C, ...]; g: gating signal [N, Cg, ...] at (about) 1/subsample of x's size. */
  forward(x: Tensor, g?: Tensor): Tensor {
    if (!g) throw new Error('AttentionGate.forward(x, g): the gating signal g is required');
    const mode = this.spatialDims === 3 ? 'trilinear' : 'bilinear';
    const thetaX = this.theta.forward(x);
    let phiG = this.phi.forward(g);
    const target = thetaX.shape.slice(2);
    if (phiG.shape.slice(2).join(',') !== target.join(',')) phiG = F.interpolate(phiG, { size: target, mode });
    const q = this.psi.forward(thetaX.add(phiG).relu());
    const alpha = F.interpolate(q.sigmoid(), { size: x.shape.slice(2), mode }); // [N, 1, *skip spatial]
    this.record('spatial', alpha);
    return this.W.forward(x.mul(alpha));
  }
}
