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
  createAttention,
  featureAttentionNames,
  DropBlock,
  GroupNorm,
  InstanceNorm,
  Module,
  ModuleList,
  type AttentionName,
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
  /** DropBlock drop probability after every 3x3 convolution in training (SA-UNet); 0 or absent: none. 2D only. */
  dropBlock?: number;
  /** DropBlock block size (odd; default 7). */
  dropBlockSize?: number;
  /** An attention block applied to the bottleneck feature (SA-UNet: 'cbam_spatial'); absent: none. */
  bottleneckAttention?: AttentionName;
  /** Kernel of the bottleneck attention's convolution (CBAM spatial: default 7). */
  spatialKernel?: number;
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

/** (conv 3x3 - [DropBlock] - norm - ReLU) x 2; DropBlock has no weights and is identity in eval. */
export class DoubleConv extends Module {
  readonly conv1: Conv2d | Conv3d;
  readonly norm1: Module;
  readonly conv2: Conv2d | Conv3d;
  readonly norm2: Module;
  readonly drop1?: DropBlock;
  readonly drop2?: DropBlock;
  constructor(
    dims: 2 | 3,
    cin: number,
    cout: number,
    norm: UNetConfig['norm'],
    dropBlock?: { dropProb: number; blockSize: number },
  ) {
    super();
    const Conv = dims === 3 ? Conv3d : Conv2d;
    const bias = norm === 'instance';
    this.conv1 = this.module('conv1', new Conv(cin, cout, 3, { padding: 1, bias }));
    this.norm1 = this.module('norm1', makeNorm(norm, cout));
    this.conv2 = this.module('conv2', new Conv(cout, cout, 3, { padding: 1, bias }));
    this.norm2 = this.module('norm2', makeNorm(norm, cout));
    if (dropBlock && dropBlock.dropProb > 0) {
      this.drop1 = this.module('drop1', new DropBlock(dropBlock.dropProb, dropBlock.blockSize));
      this.drop2 = this.module('drop2', new DropBlock(dropBlock.dropProb, dropBlock.blockSize));
    }
  }
  forward(x: Tensor): Tensor {
    return this.scoped(() => {
      const drop = (d: DropBlock | undefined, t: Tensor) => (d ? d.forward(t) : t);
      const y = this.norm1.forward(drop(this.drop1, this.conv1.forward(x))).relu();
      return this.norm2.forward(drop(this.drop2, this.conv2.forward(y))).relu();
    });
  }
}

function dropBlockOf(c: UNetConfig): { dropProb: number; blockSize: number } | undefined {
  return c.dropBlock ? { dropProb: c.dropBlock, blockSize: c.dropBlockSize ?? 7 } : undefined;
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
    this.conv = this.module('conv', new DoubleConv(dims, 2 * cout, cout, config.norm, dropBlockOf(config)));
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
  readonly bottleneckAttention?: Module;
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
    if (c.dropBlock !== undefined && !(typeof c.dropBlock === 'number' && c.dropBlock >= 0 && c.dropBlock < 1))
      throw new ModelConfigError(name, 'dropBlock', 'a drop probability in [0, 1)', c.dropBlock);
    if (c.dropBlock && c.spatialDims !== 2)
      throw new ModelConfigError(name, 'dropBlock', '0 in 3D (2D only)', c.dropBlock);
    if (
      c.dropBlockSize !== undefined &&
      !(Number.isInteger(c.dropBlockSize) && c.dropBlockSize % 2 === 1 && c.dropBlockSize > 0)
    )
      throw new ModelConfigError(name, 'dropBlockSize', 'an odd positive integer', c.dropBlockSize);
    if (c.bottleneckAttention !== undefined && !featureAttentionNames.includes(c.bottleneckAttention))
      throw new ModelConfigError(
        name,
        'bottleneckAttention',
        `one of ${featureAttentionNames.join(', ')}`,
        c.bottleneckAttention,
      );
    this.config = c;
    this.modelName = name;
    const f = c.features;
    const d = c.spatialDims;
    this.encoder = this.module('encoder', new ModuleList<DoubleConv>());
    f.forEach((ch, i) =>
      this.encoder.push(new DoubleConv(d, i === 0 ? c.inChannels : f[i - 1], ch, c.norm, dropBlockOf(c))),
    );
    if (c.bottleneckAttention && c.bottleneckAttention !== 'none')
      this.bottleneckAttention = this.module(
        'bottleneck_attention',
        createAttention(c.bottleneckAttention, f[f.length - 1], { spatialDims: d, kernelSize: c.spatialKernel ?? 7 }),
      );
    this.decoder = this.module('decoder', new ModuleList<UpBlock>());
    for (let i = f.length - 1; i > 0; i--) this.decoder.push(new UpBlock(d, f[i], f[i - 1], c));
    const Conv = d === 3 ? Conv3d : Conv2d;
    this.head = this.module('head', new Conv(f[0], c.numClasses, 1));
    if (c.deepSupervision) {
      this.auxHeads = this.module('aux_heads', new ModuleList<Conv2d | Conv3d>());
      for (let i = f.length - 1; i > 1; i--) this.auxHeads.push(new Conv(f[i - 1], c.numClasses, 1));
    }
  }

  #run(x: Tensor, tap?: { level: number; replace: (feature: Tensor) => Tensor }): { output: Tensor; levels: Tensor[] } {
    if (x.ndim !== this.config.spatialDims + 2)
      throw new Error(
        `${this.modelName}: expected a ${this.config.spatialDims + 2}-D input [N, C, ...], got [${x.shape}]`,
      );
    const pool = this.config.spatialDims === 3 ? F.maxPool3d : F.maxPool2d;
    const skips: Tensor[] = [];
    let y = x;
    this.encoder.items.forEach((block, i) => {
      y = block.forward(i === 0 ? y : pool(y, 2));
      if (i === this.encoder.length - 1 && this.bottleneckAttention) y = this.bottleneckAttention.forward(y);
      if (tap?.level === i) y = tap.replace(y);
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
   * Logits with encoder level `level`'s output (0 = full resolution, features.length - 1 = the bottleneck,
   * after its attention) passed through `replace` on its way to both the skip and the deeper levels: what
   * Grad-CAM needs to differentiate the output with respect to that feature map.
   */
  forwardTapped(x: Tensor, level: number, replace: (feature: Tensor) => Tensor): Tensor {
    if (!(Number.isInteger(level) && level >= 0 && level < this.encoder.length))
      throw new RangeError(`${this.modelName}: encoder level ${level} is not in 0..${this.encoder.length - 1}`);
    return this.#run(x, { level, replace }).output;
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
