/** Optimizer and learning-rate schedule from the training config (schedules step once per epoch). */
import type { Module } from '../nn/index.js';
import {
  Adam,
  AdamW,
  CosineWarmupLR,
  MultiStepLR,
  PolynomialLR,
  ReduceLROnPlateau,
  SGD,
  StepLR,
  type LRScheduler,
  type Optimizer,
} from '../optim/index.js';
import type { TrainingConfig } from './config.js';
import { defaultMonitor, isLowerBetter } from './monitor.js';

export function buildOptimizer(model: Module, config: TrainingConfig): Optimizer {
  const o = config.optimizer;
  const params = model.parameters();
  switch (o.name) {
    case 'adam':
      return new Adam(params, { lr: o.lr, weightDecay: o.weightDecay });
    case 'adamw':
      return new AdamW(params, { lr: o.lr, weightDecay: o.weightDecay });
    case 'sgd':
      return new SGD(params, { lr: o.lr, momentum: o.momentum, nesterov: o.nesterov, weightDecay: o.weightDecay });
  }
}

export function buildScheduler(optimizer: Optimizer, config: TrainingConfig): LRScheduler | undefined {
  const s = config.schedule;
  const epochs = config.training.epochs;
  switch (s.name) {
    case 'none':
      return undefined;
    case 'cosine':
      return new CosineWarmupLR(optimizer, epochs, s.warmupEpochs, s.minLr);
    case 'step':
      return new StepLR(optimizer, s.stepSize, s.gamma);
    case 'multistep':
      return new MultiStepLR(optimizer, s.milestones, s.gamma);
    case 'poly':
      return new PolynomialLR(optimizer, epochs, s.power);
    case 'plateau':
      return new ReduceLROnPlateau(optimizer, {
        mode: isLowerBetter(config.training.monitor ?? defaultMonitor(config.task)) ? 'min' : 'max',
        factor: s.gamma,
        patience: s.patience,
        minLr: s.minLr,
      });
  }
}
