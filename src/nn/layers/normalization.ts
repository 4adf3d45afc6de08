import { F, noGrad, ones, zeros, type Tensor } from '../../tensor/index.js';
import type { BatchNormOptions } from '../../tensor/functional.js';
import { Module } from '../module.js';

/** Training-mode batch norm whose statistics cover more than this process's batch (see distributed/). */
export type SynchronisedBatchNorm = (x: Tensor, options: BatchNormOptions) => Tensor;

export interface BatchNormConfig {
  eps?: number;
  momentum?: number;
  affine?: boolean;
  trackRunningStats?: boolean;
}

/**
 * Batch normalisation over [N, C, ...] (torch.nn.BatchNorm1d/2d/3d): batch statistics in training, running
 * statistics (updated with `momentum`) in eval. Buffers: running_mean, running_var, num_batches_tracked.
 */
export class BatchNorm extends Module {
  readonly weight?: Tensor;
  readonly bias?: Tensor;
  readonly runningMean?: Tensor;
  readonly runningVar?: Tensor;
  readonly numBatchesTracked?: Tensor;
  readonly eps: number;
  /** null: the running statistics are the plain mean over the batches since they were reset (PyTorch's None). */
  momentum: number | null;
  /** Set by DataParallel.syncBatchNorm: training batches are normalised over every rank's samples. */
  synchronised?: SynchronisedBatchNorm;
  constructor(
    readonly numFeatures: number,
    config: BatchNormConfig = {},
  ) {
    super();
    this.eps = config.eps ?? 1e-5;
    this.momentum = config.momentum ?? 0.1;
    if (config.affine ?? true) {
      this.weight = this.param('weight', ones([numFeatures]));
      this.bias = this.param('bias', zeros([numFeatures]));
    }
    if (config.trackRunningStats ?? true) {
      this.runningMean = this.buffer('running_mean', zeros([numFeatures]));
      this.runningVar = this.buffer('running_var', ones([numFeatures]));
      this.numBatchesTracked = this.buffer('num_batches_tracked', zeros([], { dtype: 'int64' }));
    }
  }
  forward(x: Tensor): Tensor {
    const useBatchStats = this.training || !this.runningMean;
    if (this.training && this.numBatchesTracked) noGrad(() => this.numBatchesTracked!.add_(1));
    const options = {
      weight: this.weight,
      bias: this.bias,
      runningMean: this.runningMean,
      runningVar: this.runningVar,
      training: useBatchStats,
      momentum: this.momentum ?? 1 / Math.max(1, this.numBatchesTracked?.item() ?? 1),
      eps: this.eps,
    };
    return this.training && this.synchronised ? this.synchronised(x, options) : F.batchNorm(x, options);
  }
  /** Running statistics back to their initial values (torch's reset_running_stats). */
  resetRunningStats(): void {
    noGrad(() => {
      this.runningMean?.zero_();
      this.runningVar?.fill_(1);
      this.numBatchesTracked?.zero_();
    });
  }
}
export class BatchNorm1d extends BatchNorm {}
export class BatchNorm2d extends BatchNorm {}
export class BatchNorm3d extends BatchNorm {}

/** Layer normalisation over the trailing `normalizedShape` dims (torch.nn.LayerNorm). */
export class LayerNorm extends Module {
  readonly weight?: Tensor;
  readonly bias?: Tensor;
  readonly normalizedShape: number[];
  constructor(
    normalizedShape: number | number[],
    readonly eps = 1e-5,
    elementwiseAffine = true,
  ) {
    super();
    this.normalizedShape = typeof normalizedShape === 'number' ? [normalizedShape] : normalizedShape;
    if (elementwiseAffine) {
      this.weight = this.param('weight', ones(this.normalizedShape));
      this.bias = this.param('bias', zeros(this.normalizedShape));
    }
  }
  forward(x: Tensor): Tensor {
    return F.layerNorm(x, this.normalizedShape, this.weight, this.bias, this.eps);
  }
}

/** Group normalisation (Wu & He 2018; torch.nn.GroupNorm): batch-size independent, good for small 3D batches. */
export class GroupNorm extends Module {
  readonly weight?: Tensor;
  readonly bias?: Tensor;
  constructor(
    readonly numGroups: number,
    readonly numChannels: number,
    readonly eps = 1e-5,
    affine = true,
  ) {
    super();
    if (numChannels % numGroups)
      throw new Error(`GroupNorm: ${numChannels} channels are not divisible into ${numGroups} groups`);
    if (affine) {
      this.weight = this.param('weight', ones([numChannels]));
      this.bias = this.param('bias', zeros([numChannels]));
    }
  }
  forward(x: Tensor): Tensor {
    return F.groupNorm(x, this.numGroups, this.weight, this.bias, this.eps);
  }
}

/** Instance normalisation (torch.nn.InstanceNorm1d/2d/3d; no affine and no running stats by default). */
export class InstanceNorm extends Module {
  readonly weight?: Tensor;
  readonly bias?: Tensor;
  constructor(
    readonly numFeatures: number,
    readonly eps = 1e-5,
    affine = false,
  ) {
    super();
    if (affine) {
      this.weight = this.param('weight', ones([numFeatures]));
      this.bias = this.param('bias', zeros([numFeatures]));
    }
  }
  forward(x: Tensor): Tensor {
    return F.instanceNorm(x, { weight: this.weight, bias: this.bias, eps: this.eps, useInputStats: true });
  }
}
