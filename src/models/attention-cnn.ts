/**
 * Attention CNN classifier: stages of conv-BN-ReLU, each followed by an attention block chosen by name and
 * 2x max pooling, then global average pooling, dropout and a linear head. The default configuration is the
 * reference model of DESIGN.md (SE, CBAM spatial, non-local). forwardWithAttention() (from AttentionModel)
 * returns the logits and every stage's attention ('stages.<i>.attention.spatial' / '.channel').
 */
import { F, type Tensor } from '../tensor/index.js';
import {
  BatchNorm2d,
  Conv2d,
  Dropout,
  Linear,
  Module,
  ModuleList,
  createAttention,
  type AttentionName,
} from '../nn/index.js';
import { AttentionModel } from './attention-model.js';

export interface AttentionCNNStage {
  channels: number;
  attention: AttentionName;
  /** Convolutions in the stage before its attention block (default 1). */
  convs?: number;
  kernelSize?: number;
  /** Max-pool after the stage (default true). */
  pool?: boolean;
}

export interface AttentionCNNConfig {
  inChannels: number;
  numClasses: number;
  stages: AttentionCNNStage[];
  dropout?: number;
  /** Reduction ratio of SE/CBAM channel attention. */
  reduction?: number;
  /** Kernel of CBAM spatial attention. */
  spatialKernel?: number;
}

export const referenceCNNConfig: AttentionCNNConfig = {
  inChannels: 1,
  numClasses: 2,
  stages: [
    { channels: 32, attention: 'se' },
    { channels: 64, attention: 'cbam_spatial' },
    { channels: 128, attention: 'nonlocal' },
  ],
  dropout: 0.2,
  reduction: 8,
  spatialKernel: 7,
};

class Stage extends Module {
  readonly convs: ModuleList<Conv2d>;
  readonly norms: ModuleList<BatchNorm2d>;
  readonly attention: Module;
  constructor(
    inChannels: number,
    readonly spec: AttentionCNNStage,
    config: AttentionCNNConfig,
  ) {
    super();
    const k = spec.kernelSize ?? 3;
    const n = spec.convs ?? 1;
    this.convs = this.module('convs', new ModuleList<Conv2d>());
    this.norms = this.module('norms', new ModuleList<BatchNorm2d>());
    for (let i = 0; i < n; i++) {
      this.convs.push(
        new Conv2d(i === 0 ? inChannels : spec.channels, spec.channels, k, { padding: (k - 1) / 2, bias: false }),
      );
      this.norms.push(new BatchNorm2d(spec.channels));
    }
    this.attention = this.module(
      'attention',
      createAttention(spec.attention, spec.channels, {
        reduction: config.reduction ?? 8,
        kernelSize: config.spatialKernel ?? 7,
      }),
    );
  }
  forward(x: Tensor): Tensor {
    return this.scoped(() => {
      let y = x;
      for (let i = 0; i < this.convs.length; i++) y = this.norms.at(i).forward(this.convs.at(i).forward(y)).relu();
      y = this.attention.forward(y);
      return this.spec.pool === false ? y : F.maxPool2d(y, 2);
    });
  }
}

export class AttentionCNN extends AttentionModel<AttentionCNNConfig> {
  readonly modelName = 'attention_cnn';
  readonly stages: ModuleList<Stage>;
  readonly dropout: Dropout;
  readonly head: Linear;
  constructor(readonly config: AttentionCNNConfig = referenceCNNConfig) {
    super();
    this.stages = this.module('stages', new ModuleList<Stage>());
    let c = config.inChannels;
    for (const spec of config.stages) {
      this.stages.push(new Stage(c, spec, config));
      c = spec.channels;
    }
    this.dropout = this.module('dropout', new Dropout(config.dropout ?? 0));
    this.head = this.module('head', new Linear(c, config.numClasses));
  }
  /** The last stage's feature map [N, C, h, w], before pooling (Grad-CAM reads it). */
  featureMap(x: Tensor): Tensor {
    let y = x;
    for (const stage of this.stages) y = stage.forward(y);
    return y;
  }
  /** Logits from the last feature map: global average pool, dropout, linear head. */
  classify(featureMap: Tensor): Tensor {
    return this.head.forward(this.dropout.forward(featureMap.mean([2, 3])));
  }
  /** Logits [N, numClasses] for images [N, inChannels, H, W]. */
  forward(x: Tensor): Tensor {
    return this.classify(this.featureMap(x));
  }
}
