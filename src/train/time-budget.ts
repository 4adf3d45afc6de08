/**
 * Fitting a run to its time budget. `training.maxMinutes` alone stops a run when the budget is spent, which on a
 * slower machine cuts a cosine or polynomial schedule in the middle, at a high learning rate. With
 * `training.fitToMaxMinutes` the trainer times the first epoch and, if the planned epochs would not fit, shortens
 * the run (and the schedule's length with it) to the epochs that do, so the learning rate still anneals.
 */
import { CosineWarmupLR, PolynomialLR, type LRScheduler } from '../optim/index.js';

/**
 * The epochs of `epochSeconds` each that fit in `maxMinutes`: `planned` when they all fit, else as many as fit,
 * at least 1 (the epoch already run).
 */
export function epochsWithinBudget(planned: number, maxMinutes: number, epochSeconds: number): number {
  if (!(epochSeconds > 0)) return planned;
  return Math.max(1, Math.min(planned, Math.floor((maxMinutes * 60) / epochSeconds)));
}

/** What fitting a run decided: the epochs that fit, less than planned. */
export interface BudgetFit {
  type: 'fit';
  planned: number;
  epochs: number;
  epochSeconds: number;
  maxMinutes: number;
}

/**
 * After a fresh run's first epoch: the shortened run when `training.fitToMaxMinutes` is on and the planned
 * epochs would overrun `maxMinutes`, with the scheduler's length shortened to it; undefined when nothing changes.
 */
export function fitRunToBudget(
  training: { fitToMaxMinutes: boolean; maxMinutes?: number },
  epochs: number,
  epochSeconds: number,
  scheduler: LRScheduler | undefined,
): BudgetFit | undefined {
  if (!training.fitToMaxMinutes || !training.maxMinutes) return undefined;
  const fitted = epochsWithinBudget(epochs, training.maxMinutes, epochSeconds);
  if (fitted >= epochs) return undefined;
  if (scheduler instanceof CosineWarmupLR || scheduler instanceof PolynomialLR) scheduler.total = fitted;
  return { type: 'fit', planned: epochs, epochs: fitted, epochSeconds, maxMinutes: training.maxMinutes };
}
