/**
 * Learning-rate schedules, stepped once per epoch (or per iteration, as the caller chooses). Each sets
 * `optimizer.lr` from the base rate and the step count, so a resumed run only needs `lastStep` back.
 */
import type { Optimizer } from './optimizer.js';

export abstract class LRScheduler {
  lastStep = 0;
  readonly baseLr: number;
  constructor(readonly optimizer: Optimizer) {
    this.baseLr = optimizer.lr;
  }
  /** Advances one step; ReduceLROnPlateau reads the validation metric. */
  step(_metric?: number): void {
    this.lastStep++;
    this.optimizer.lr = this.lrAt(this.lastStep);
  }
  protected abstract lrAt(step: number): number;
  stateDict(): Record<string, number> {
    return { lastStep: this.lastStep };
  }
  loadStateDict(s: Record<string, number>): void {
    this.lastStep = s.lastStep ?? 0;
    this.optimizer.lr = this.lrAt(this.lastStep);
  }
}

/** lr * gamma^floor(step / stepSize) (torch StepLR). */
export class StepLR extends LRScheduler {
  constructor(
    optimizer: Optimizer,
    readonly stepSize: number,
    readonly gamma = 0.1,
  ) {
    super(optimizer);
  }
  protected lrAt(step: number): number {
    return this.baseLr * this.gamma ** Math.floor(step / this.stepSize);
  }
}

/** lr * gamma^(number of milestones passed) (torch MultiStepLR). */
export class MultiStepLR extends LRScheduler {
  constructor(
    optimizer: Optimizer,
    readonly milestones: number[],
    readonly gamma = 0.1,
  ) {
    super(optimizer);
  }
  protected lrAt(step: number): number {
    return this.baseLr * this.gamma ** this.milestones.filter((m) => m <= step).length;
  }
}

/** Linear warm-up from 0 over `warmup` steps, then cosine decay to `minLr` at `total` steps. */
export class CosineWarmupLR extends LRScheduler {
  constructor(
    optimizer: Optimizer,
    /** Schedule length in steps; the trainer shortens it when a run is fitted to its time budget. */
    public total: number,
    readonly warmup = 0,
    readonly minLr = 0,
  ) {
    super(optimizer);
    if (warmup > 0) optimizer.lr = this.lrAt(0);
  }
  protected lrAt(step: number): number {
    if (step < this.warmup) return (this.baseLr * (step + 1)) / (this.warmup + 1);
    const progress = Math.min(1, (step - this.warmup) / Math.max(1, this.total - this.warmup));
    return this.minLr + 0.5 * (this.baseLr - this.minLr) * (1 + Math.cos(Math.PI * progress));
  }
}

/** lr * (1 - step/total)^power (torch PolynomialLR; nnU-Net uses power 0.9). */
export class PolynomialLR extends LRScheduler {
  constructor(
    optimizer: Optimizer,
    /** Schedule length in steps; the trainer shortens it when a run is fitted to its time budget. */
    public total: number,
    readonly power = 1,
  ) {
    super(optimizer);
  }
  protected lrAt(step: number): number {
    return this.baseLr * Math.max(0, 1 - Math.min(step, this.total) / this.total) ** this.power;
  }
}

/** Multiplies lr by `factor` when the metric has not improved for `patience` steps (torch ReduceLROnPlateau). */
export class ReduceLROnPlateau extends LRScheduler {
  best: number;
  badSteps = 0;
  constructor(
    optimizer: Optimizer,
    readonly options: {
      mode?: 'min' | 'max';
      factor?: number;
      patience?: number;
      threshold?: number;
      minLr?: number;
    } = {},
  ) {
    super(optimizer);
    this.best = (options.mode ?? 'min') === 'min' ? Infinity : -Infinity;
  }
  override step(metric?: number): void {
    if (metric === undefined) throw new Error('ReduceLROnPlateau.step needs the monitored metric');
    this.lastStep++;
    const { mode = 'min', factor = 0.1, patience = 10, threshold = 1e-4, minLr = 0 } = this.options;
    // PyTorch's default 'rel' threshold mode.
    const better = mode === 'min' ? metric < this.best * (1 - threshold) : metric > this.best * (1 + threshold);
    if (better) {
      this.best = metric;
      this.badSteps = 0;
    } else if (++this.badSteps > patience) {
      this.optimizer.lr = Math.max(minLr, this.optimizer.lr * factor);
      this.badSteps = 0;
    }
  }
  protected lrAt(): number {
    return this.optimizer.lr;
  }
  override stateDict(): Record<string, number> {
    return { lastStep: this.lastStep, best: this.best, badSteps: this.badSteps, lr: this.optimizer.lr };
  }
  override loadStateDict(s: Record<string, number>): void {
    this.lastStep = s.lastStep ?? 0;
    this.best = s.best ?? this.best;
    this.badSteps = s.badSteps ?? 0;
    if (s.lr) this.optimizer.lr = s.lr;
  }
}
