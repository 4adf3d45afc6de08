/**
 * U-Net (Ronneberger et al. 2015), 2D or 3D (`spatialDims`): an encoder of double conv-norm-ReLU blocks with
 * 2x max-pooling, a decoder of 2x transposed convolutions, skip concatenation and double convs, and a 1x1
 * head. With `attentionGates` (see AttentionUNet) every skip connection passes through an attention gate
 * driven by the coarser decoder feature. Optional deep supervision: 1x1 heads on the intermediate decoder
 * levels (forwardDeepSupervision), resized to the input. forward(x) returns logits [N, numClasses, ...].
 */
import { cat, F, type Tensor } from '../tensor/index.js';
import {
  AttentionGate,
  BatchNorm,
  Conv2d,
  Conv3d,
  ConvTranspose2d,
  ConvTranspose3d,
  GroupNorm,
  InstanceNorm,
  Module,
  ModuleList,
} from '../nn/index.js';
import { AttentionModel } from './attention-model.js';
import { ModelConfigError } from './model-error.js';

export interface UNetConfig {
  spatialDims: 2 | 3;
  inChannels: number;
  /** Output channels (class logits). */
  numClasses: number;
  /** Channels per level, shallow to deep; the last is the bottleneck. */
  features: number[];
  norm: 'batch' | 'instance' | 'group';
  /** Extra 1x1 heads on intermediate decoder levels (see forwardDeepSupervision). */
  deepSupervision: boolean;
  /** Attention gates on the skip connections (Attention U-Net). */
  attentionGates: boolean;
}

export const unetDefaults: UNetConfig = {
  spatialDims: 2,
  inChannels: 1,
  numClasses: 2,
  features: [32, 64, 128, 256, 512],
  norm: 'batch',
  deepSupervision: false,
  attentionGates: false,
};

function makeNorm(kind: UNetConfig['norm'], channels: number): Module {
  if (kind === 'instance') return new InstanceNorm(channels, 1e-5, true);
  if (kind === 'group') return new GroupNorm(Math.min(8, channels), channels);
  return new BatchNorm(channels);
}

/** (conv 3x3 - norm - ReLU) x 2. */
export class DoubleConv extends Module {
  readonly conv1: Conv2d | Conv3d;
  readonly norm1: Module;
  readonly conv2: Conv2d | Conv3d;
  readonly norm2: Module;
  constructor(dims: 2 | 3, cin: number, cout: number, norm: UNetConfig['norm']) {
    super();
    const Conv = dims === 3 ? Conv3d : Conv2d;
    const bias = norm === 'instance';
    this.conv1 = this.module('conv1', new Conv(cin, cout, 3, { padding: 1, bias }));
    this.norm1 = this.module('norm1', makeNorm(norm, cout));
    this.conv2 = this.module('conv2', new Conv(cout, cout, 3, { padding: 1, bias }));
    this.norm2 = this.module('norm2', makeNorm(norm, cout));
  }
  forward(x: Tensor): Tensor {
    return this.scoped(() => {
      const y = this.norm1.forward(this.conv1.forward(x)).relu();
      return this.norm2.forward(this.conv2.forward(y)).relu();
    });
  }
}

/** Upsample the coarse feature, (gate the skip), concatenate, double conv. */
export class UpBlock extends Module {
  readonly up: ConvTranspose2d | ConvTranspose3d;
  readonly gate?: AttentionGate;
  readonly conv: DoubleConv;
  constructor(
    readonly dims: 2 | 3,
    cin: number,
    cout: number,
    config: UNetConfig,
  ) {
    super();
    const Up = dims === 3 ? ConvTranspose3d : ConvTranspose2d;
    this.up = this.module('up', new Up(cin, cout, 2, { stride: 2 }));
    if (config.attentionGates)
      this.gate = this.module(
        'gate',
        new AttentionGate(cout, {
          gatingChannels: cin,
          innerChannels: Math.max(1, Math.floor(cout / 2)),
          spatialDims: dims,
        }),
      );
    this.conv = this.module('conv', new DoubleConv(dims, 2 * cout, cout, config.norm));
  }
  forward(coarse: Tensor, skip: Tensor): Tensor {
    return this.scoped(() => this.#forward(coarse, skip));
  }
  #forward(coarse: Tensor, skip: Tensor): Tensor {
    const gated = this.gate ? this.gate.forward(skip, coarse) : skip;
    let up = this.up.forward(coarse);
    const size = skip.shape.slice(2);
    if (up.shape.slice(2).join(',') !== size.join(',')) up = F.interpolate(up, { size, mode: 'nearest' });
    return this.conv.forward(cat([gated, up], 1));
  }
}

export class UNet extends AttentionModel<UNetConfig> {
  readonly modelName: string;
  readonly config: UNetConfig;
  readonly encoder: ModuleList<DoubleConv>;
  readonly decoder: ModuleList<UpBlock>;
  readonly head: Conv2d | Conv3d;
  readonly auxHeads?: ModuleList<Conv2d | Conv3d>;
  constructor(config: Partial<UNetConfig> = {}, modelName?: string) {
    super();
    const c = { ...unetDefaults, ...config };
    const name = modelName ?? (c.attentionGates ? 'attention_unet' : 'unet');
    if (c.spatialDims !== 2 && c.spatialDims !== 3)
      throw new ModelConfigError(name, 'spatialDims', '2 or 3', c.spatialDims);
    if (!Array.isArray(c.features) || c.features.length < 2 || c.features.some((f) => !(f >= 1)))
      throw new ModelConfigError(name, 'features', 'at least two positive channel counts', c.features);
    if (!['batch', 'instance', 'group'].includes(c.norm))
      throw new ModelConfigError(name, 'norm', "'batch', 'instance' or 'group'", c.norm);
    this.config = c;
    this.modelName = name;
    const f = c.features;
    const d = c.spatialDims;
    this.encoder = this.module('encoder', new ModuleList<DoubleConv>());
    f.forEach((ch, i) => this.encoder.push(new DoubleConv(d, i === 0 ? c.inChannels : f[i - 1], ch, c.norm)));
    this.decoder = this.module('decoder', new ModuleList<UpBlock>());
    for (let i = f.length - 1; i > 0; i--) this.decoder.push(new UpBlock(d, f[i], f[i - 1], c));
    const Conv = d === 3 ? Conv3d : Conv2d;
    this.head = this.module('head', new Conv(f[0], c.numClasses, 1));
    if (c.deepSupervision) {
      this.auxHeads = this.module('aux_heads', new ModuleList<Conv2d | Conv3d>());
      for (let i = f.length - 1; i > 1; i--) this.auxHeads.push(new Conv(f[i - 1], c.numClasses, 1));
    }
  }

  #run(x: Tensor): { output: Tensor; levels: Tensor[] } {
    if (x.ndim !== this.config.spatialDims + 2)
      throw new Error(
        `${this.modelName}: expected a ${this.config.spatialDims + 2}-D input [N, C, ...], got [${x.shape}]`,
      );
    const pool = this.config.spatialDims === 3 ? F.maxPool3d : F.maxPool2d;
    const skips: Tensor[] = [];
    let y = x;
    this.encoder.items.forEach((block, i) => {
      y = block.forward(i === 0 ? y : pool(y, 2));
      skips.push(y);
    });
    const levels: Tensor[] = [];
    this.decoder.items.forEach((block, i) => {
      y = block.forward(y, skips[skips.length - 2 - i]);
      levels.push(y);
    });
    return { output: this.head.forward(y), levels };
  }

  /** Logits [N, numClasses, *spatial] at the input resolution. */
  forward(x: Tensor): Tensor {
    return this.#run(x).output;
  }

  /**
   * Main logits plus the deep-supervision logits of the intermediate decoder levels (coarse to fine), each
   * resized to the input; `auxiliary` is empty without deepSupervision.
   */
  forwardDeepSupervision(x: Tensor): { output: Tensor; auxiliary: Tensor[] } {
    const { output, levels } = this.#run(x);
    const size = x.shape.slice(2);
    const mode = this.config.spatialDims === 3 ? 'trilinear' : 'bilinear';
    const auxiliary = (this.auxHeads?.items ?? []).map((h, i) => F.interpolate(h.forward(levels[i]), { size, mode }));
    return { output, auxiliary };
  }
}
