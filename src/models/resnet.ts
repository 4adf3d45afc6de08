/**
 * ResNet-18/34 (He et al. 2016) with torchvision-identical parameter names and initialisation, so
 * torchvision's state dicts load (resnet18, 1000 classes: 11,689,512 parameters), and the same network with
 * an attention block in every residual block: SE-ResNet (Hu et al. 2018; the SE block sits after bn2, before
 * the residual addition, registered as `se` as in timm). Options: input channels (1 for grayscale), a
 * small-input stem (3x3 stride-1 conv, no max-pool) for 28-64 px images.
 */
import { F, type Tensor } from '../tensor/index.js';
import {
  BatchNorm2d,
  Conv2d,
  Linear,
  Module,
  Sequential,
  attentionNames,
  createAttention,
  init,
  type AttentionName,
} from '../nn/index.js';
import { AttentionModel } from './attention-model.js';
import { ModelConfigError } from './model-error.js';

export interface ResNetConfig {
  depth: 18 | 34;
  inChannels: number;
  numClasses: number;
  /** Attention block in each residual block ('none' = plain ResNet, 'se' = SE-ResNet). */
  attention: AttentionName;
  /** Reduction ratio of SE/CBAM channel attention (16 as in the SE paper). */
  reduction: number;
  /** 3x3 stride-1 stem without max-pool for small images. */
  smallInput: boolean;
  /** Widths of the four stages (torchvision: 64, 128, 256, 512). */
  widths: number[];
}

const blocksPerStage: Record<18 | 34, number[]> = { 18: [2, 2, 2, 2], 34: [3, 4, 6, 3] };

export const resnetDefaults: ResNetConfig = {
  depth: 18,
  inChannels: 3,
  numClasses: 1000,
  attention: 'none',
  reduction: 16,
  smallInput: false,
  widths: [64, 128, 256, 512],
};

function conv3x3(cin: number, cout: number, stride = 1): Conv2d {
  return new Conv2d(cin, cout, 3, { stride, padding: 1, bias: false });
}

/** torchvision.models.resnet.BasicBlock, plus an optional attention block `se`. */
export class BasicBlock extends Module {
  readonly conv1: Conv2d;
  readonly bn1: BatchNorm2d;
  readonly conv2: Conv2d;
  readonly bn2: BatchNorm2d;
  readonly se?: Module;
  readonly downsample?: Sequential;
  constructor(cin: number, cout: number, stride: number, attention: AttentionName, reduction: number) {
    super();
    this.conv1 = this.module('conv1', conv3x3(cin, cout, stride));
    this.bn1 = this.module('bn1', new BatchNorm2d(cout));
    this.conv2 = this.module('conv2', conv3x3(cout, cout));
    this.bn2 = this.module('bn2', new BatchNorm2d(cout));
    if (attention !== 'none') this.se = this.module('se', createAttention(attention, cout, { reduction }));
    if (stride !== 1 || cin !== cout)
      this.downsample = this.module(
        'downsample',
        new Sequential(new Conv2d(cin, cout, 1, { stride, bias: false }), new BatchNorm2d(cout)),
      );
  }
  forward(x: Tensor): Tensor {
    return this.scoped(() => {
      let out = this.bn1.forward(this.conv1.forward(x)).relu();
      out = this.bn2.forward(this.conv2.forward(out));
      if (this.se) out = this.se.forward(out);
      const identity = this.downsample ? this.downsample.forward(x) : x;
      return out.add(identity).relu();
    });
  }
}

export class ResNet extends AttentionModel<ResNetConfig> {
  readonly modelName: string;
  readonly config: ResNetConfig;
  readonly conv1: Conv2d;
  readonly bn1: BatchNorm2d;
  readonly layers: Sequential[];
  readonly fc: Linear;
  constructor(config: Partial<ResNetConfig> = {}, modelName?: string) {
    super();
    const c = { ...resnetDefaults, ...config };
    const name = modelName ?? `${c.attention === 'none' ? '' : `${c.attention}_`}resnet${c.depth}`;
    if (c.depth !== 18 && c.depth !== 34) throw new ModelConfigError(name, 'depth', '18 or 34', c.depth);
    if (!attentionNames.includes(c.attention))
      throw new ModelConfigError(name, 'attention', `one of ${attentionNames.join(', ')}`, c.attention);
    if (!(c.inChannels >= 1) || !(c.numClasses >= 1))
      throw new ModelConfigError(name, 'inChannels/numClasses', 'positive integers', [c.inChannels, c.numClasses]);
    if (c.widths.length !== 4) throw new ModelConfigError(name, 'widths', 'four stage widths', c.widths);
    this.config = c;
    this.modelName = name;
    const w = c.widths;
    this.conv1 = this.module(
      'conv1',
      c.smallInput
        ? new Conv2d(c.inChannels, w[0], 3, { stride: 1, padding: 1, bias: false })
        : new Conv2d(c.inChannels, w[0], 7, { stride: 2, padding: 3, bias: false }),
    );
    this.bn1 = this.module('bn1', new BatchNorm2d(w[0]));
    this.layers = [];
    let cin = w[0];
    blocksPerStage[c.depth].forEach((n, stage) => {
      const blocks: Module[] = [];
      for (let i = 0; i < n; i++) {
        blocks.push(new BasicBlock(cin, w[stage], i === 0 && stage > 0 ? 2 : 1, c.attention, c.reduction));
        cin = w[stage];
      }
      this.layers.push(this.module(`layer${stage + 1}`, new Sequential(...blocks)));
    });
    this.fc = this.module('fc', new Linear(cin, c.numClasses));
    // torchvision: kaiming_normal_(fan_out, relu) for convolutions; BN weight 1, bias 0 (already).
    for (const [, m] of this.namedModules())
      if (m instanceof Conv2d) init.kaimingNormal_(m.weight, { mode: 'fan_out', nonlinearity: 'relu' });
  }
  /** The last feature map [N, widths[3], h, w], before pooling (Grad-CAM reads it). */
  featureMap(x: Tensor): Tensor {
    let y = this.bn1.forward(this.conv1.forward(x)).relu();
    if (!this.config.smallInput) y = F.maxPool2d(y, 3, { stride: 2, padding: 1 });
    for (const layer of this.layers) y = layer.forward(y);
    return y;
  }
  /** Logits [N, numClasses] from the last feature map: global average pool, then the classifier. */
  classify(featureMap: Tensor): Tensor {
    return this.fc.forward(featureMap.mean([2, 3]));
  }
  /** Logits [N, numClasses]. */
  forward(x: Tensor): Tensor {
    return this.classify(this.featureMap(x));
  }
}
