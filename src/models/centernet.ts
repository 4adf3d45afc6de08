/**
 * An anchor-free detector in the style of CenterNet ("Objects as Points", Zhou et al. 2019) on an attention
 * backbone: stages of conv-BN-ReLU with an attention block each (by name, as AttentionCNN), 2x pooling
 * between stages, a light top-down neck that brings the deepest features to stride 4, and three heads: a
 * centre heatmap per class (logits; bias -2.19 so initial scores are 0.1), box size and sub-pixel centre
 * offset (both in output-stride pixels). forward(x) returns one tensor [N, numClasses + 4, H/4, W/4]:
 * heatmap logits, then (w, h), then (dx, dy); splitHeads() names them. decode() turns it into boxes in input
 * pixels (src/models/centernet-decode.ts, shared with ONNX Runtime's outputs): 3x3 peak picking, top-k, score
 * threshold and class-wise NMS. centerNetTargets() and centerNetLoss() (penalty-reduced focal loss + L1)
 * train it.
 */
import { cat, F, tensor, tidy, type Tensor } from '../tensor/index.js';
import {
  BatchNorm2d,
  Conv2d,
  Module,
  ModuleList,
  ReLU,
  Sequential,
  createAttention,
  init,
  featureAttentionNames,
  type AttentionName,
} from '../nn/index.js';
import { AttentionModel } from './attention-model.js';
import { ModelConfigError } from './model-error.js';
import type { Box } from './nms.js';
import {
  decodeCenterNet,
  OUTPUT_STRIDE,
  type CenterNetHeads,
  type DecodeOptions,
  type Detection,
} from './centernet-decode.js';
import { renderCenterNetTargets } from '../data/transforms/centernet-targets.js';

export {
  centreHeat,
  decodeCenterNet,
  OUTPUT_STRIDE,
  type CenterNetHeads,
  type DecodeOptions,
  type Detection,
} from './centernet-decode.js';

export interface CenterNetStage {
  channels: number;
  attention: AttentionName;
}

export interface CenterNetConfig {
  inChannels: number;
  numClasses: number;
  /** Backbone stages, stride 1, 2, 4, 8, ... (at least three; the third is at the output stride 4). */
  stages: CenterNetStage[];
  /** Channels of the neck and heads. */
  headChannels: number;
  reduction: number;
}

export const centerNetDefaults: CenterNetConfig = {
  inChannels: 1,
  numClasses: 1,
  stages: [
    { channels: 32, attention: 'se' },
    { channels: 64, attention: 'cbam' },
    { channels: 128, attention: 'cbam' },
    { channels: 256, attention: 'nonlocal' },
  ],
  headChannels: 64,
  reduction: 8,
};

class ConvBNReLU extends Module {
  readonly conv: Conv2d;
  readonly bn: BatchNorm2d;
  constructor(cin: number, cout: number, k = 3) {
    super();
    this.conv = this.module('conv', new Conv2d(cin, cout, k, { padding: (k - 1) / 2, bias: false }));
    this.bn = this.module('bn', new BatchNorm2d(cout));
  }
  forward(x: Tensor): Tensor {
    return this.bn.forward(this.conv.forward(x)).relu();
  }
}

class BackboneStage extends Module {
  readonly conv1: ConvBNReLU;
  readonly conv2: ConvBNReLU;
  readonly attention: Module;
  constructor(cin: number, spec: CenterNetStage, reduction: number) {
    super();
    this.conv1 = this.module('conv1', new ConvBNReLU(cin, spec.channels));
    this.conv2 = this.module('conv2', new ConvBNReLU(spec.channels, spec.channels));
    this.attention = this.module('attention', createAttention(spec.attention, spec.channels, { reduction }));
  }
  forward(x: Tensor): Tensor {
    return this.attention.forward(this.conv2.forward(this.conv1.forward(x)));
  }
}

function head(cin: number, cout: number, bias = 0): Sequential {
  const out = new Conv2d(cin, cout, 1);
  if (bias) init.constant_(out.bias!, bias);
  return new Sequential(new Conv2d(cin, cin, 3, { padding: 1 }), new ReLU(), out);
}

export class CenterNet extends AttentionModel<CenterNetConfig> {
  readonly modelName = 'centernet';
  readonly config: CenterNetConfig;
  readonly backbone: ModuleList<BackboneStage>;
  readonly lateral: Conv2d;
  readonly top: Conv2d;
  readonly smooth: ConvBNReLU;
  readonly heatmap: Sequential;
  readonly size: Sequential;
  readonly offset: Sequential;
  constructor(config: Partial<CenterNetConfig> = {}) {
    super();
    const c = { ...centerNetDefaults, ...config };
    if (!Array.isArray(c.stages) || c.stages.length < 3)
      throw new ModelConfigError('centernet', 'stages', 'at least three stages', c.stages);
    for (const s of c.stages)
      if (!featureAttentionNames.includes(s.attention))
        throw new ModelConfigError(
          'centernet',
          'stages[].attention',
          `one of ${featureAttentionNames.join(', ')}`,
          s.attention,
        );
    if (!(c.numClasses >= 1)) throw new ModelConfigError('centernet', 'numClasses', 'a positive integer', c.numClasses);
    this.config = c;
    this.backbone = this.module('backbone', new ModuleList<BackboneStage>());
    let cin = c.inChannels;
    for (const s of c.stages) {
      this.backbone.push(new BackboneStage(cin, s, c.reduction));
      cin = s.channels;
    }
    const h = c.headChannels;
    this.lateral = this.module('lateral', new Conv2d(c.stages[2].channels, h, 1));
    this.top = this.module('top', new Conv2d(cin, h, 1));
    this.smooth = this.module('smooth', new ConvBNReLU(h, h));
    this.heatmap = this.module('heatmap', head(h, c.numClasses, -2.19));
    this.size = this.module('size', head(h, 2));
    this.offset = this.module('offset', head(h, 2));
  }

  /** [N, numClasses + 4, H/4, W/4]: heatmap logits, size (w, h), offset (dx, dy); H, W multiples of 2^(stages-1). */
  forward(x: Tensor): Tensor {
    const feats: Tensor[] = [];
    let y = x;
    this.backbone.items.forEach((stage, i) => {
      y = stage.forward(i === 0 ? y : F.maxPool2d(y, 2));
      feats.push(y);
    });
    const lat = this.lateral.forward(feats[2]);
    const up = F.interpolate(this.top.forward(y), { size: lat.shape.slice(2), mode: 'nearest' });
    const f = this.smooth.forward(lat.add(up));
    return cat([this.heatmap.forward(f), this.size.forward(f), this.offset.forward(f)], 1);
  }

  splitHeads(output: Tensor): { heatmap: Tensor; size: Tensor; offset: Tensor } {
    const k = this.config.numClasses;
    return { heatmap: output.narrow(1, 0, k), size: output.narrow(1, k, 2), offset: output.narrow(1, k + 2, 2) };
  }

  /** The heads as float32 arrays, the heat map as probabilities: what decodeCenterNet reads. */
  heads(output: Tensor): CenterNetHeads {
    return tidy(() => {
      const { heatmap, size, offset } = this.splitHeads(output);
      const [n, k, h, w] = heatmap.shape;
      return {
        heatmap: heatmap.sigmoid().contiguous().toFloat32Array(),
        size: size.contiguous().toFloat32Array(),
        offset: offset.contiguous().toFloat32Array(),
        shape: [n, k, h, w],
      };
    });
  }

  /** Boxes per image from a forward output (decodeCenterNet, the decoding ONNX Runtime's outputs get too). */
  decode(output: Tensor, o: DecodeOptions = {}): Detection[][] {
    return decodeCenterNet(this.heads(output), o);
  }
}

export interface GroundTruth {
  /** [x1, y1, x2, y2] in input pixels. */
  boxes: Box[];
  classes: number[];
}

/**
 * Training targets at the output stride (rendered by the data layer's renderCenterNetTargets, which the loader's
 * `centerNetTargets` transform also uses): Gaussian centre heatmaps, size/offset targets and their mask.
 */
export function centerNetTargets(
  gt: GroundTruth[],
  numClasses: number,
  inputSize: [number, number],
): { heatmap: Tensor; regression: Tensor; mask: Tensor } {
  const parts = gt.map((g) =>
    renderCenterNetTargets(
      { boxes: Float32Array.from(g.boxes.flat()), classes: Int32Array.from(g.classes) },
      numClasses,
      inputSize,
      OUTPUT_STRIDE,
    ),
  );
  const h = Math.ceil(inputSize[0] / OUTPUT_STRIDE);
  const w = Math.ceil(inputSize[1] / OUTPUT_STRIDE);
  const join = (key: 'heatmap' | 'regression' | 'mask', c: number) => {
    const out = new Float32Array(gt.length * c * h * w);
    parts.forEach((p, b) => out.set(p[key], b * c * h * w));
    return tensor(out, { shape: [gt.length, c, h, w] });
  };
  return { heatmap: join('heatmap', numClasses), regression: join('regression', 4), mask: join('mask', 1) };
}

/**
 * Penalty-reduced pixel-wise focal loss on the heatmap (alpha 2, beta 4) plus L1 on size (weight 0.1) and
 * offset (weight 1) at object centres, each normalised by the number of objects.
 */
export function centerNetLoss(
  output: Tensor,
  targets: { heatmap: Tensor; regression: Tensor; mask: Tensor },
  numClasses: number,
  weights: { size?: number; offset?: number } = {},
): { loss: Tensor; heatmap: Tensor; size: Tensor; offset: Tensor } {
  const logits = output.narrow(1, 0, numClasses);
  const p = logits.sigmoid().clamp(1e-4, 1 - 1e-4);
  const gt = targets.heatmap;
  const pos = gt.eq(1).float();
  const neg = pos.rsub(1);
  const numPos = pos.sum().clamp(1);
  const posLoss = p.log().mul(p.rsub(1).pow(2)).mul(pos).sum();
  const negLoss = p.rsub(1).log().mul(p.pow(2)).mul(gt.rsub(1).pow(4)).mul(neg).sum();
  const heatmap = posLoss.add(negLoss).neg().div(numPos);
  const m = targets.mask;
  const objects = m.sum().clamp(1);
  const l1 = (from: number) =>
    F.l1Loss(output.narrow(1, numClasses + from, 2).mul(m), targets.regression.narrow(1, from, 2).mul(m), 'sum').div(
      objects.mul(2),
    );
  const size = l1(0);
  const offset = l1(2);
  const loss = heatmap.add(size.mul(weights.size ?? 0.1)).add(offset.mul(weights.offset ?? 1));
  return { loss, heatmap, size, offset };
}
