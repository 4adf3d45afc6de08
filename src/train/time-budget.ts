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
  /** training.swa's window, scaled with the run: the same share of its epochs, at least 1. */
  averagedEpochs?: number;
}

interface BudgetedTraining {
  fitToMaxMinutes: boolean;
  maxMinutes?: number;
  swa?: { epochs: number };
}

/**
 * After a fresh run's first epoch: the shortened run when `training.fitToMaxMinutes` is on and the planned
 * epochs would overrun `maxMinutes`, with the scheduler's length shortened to it; undefined when nothing changes.
 */
export function fitRunToBudget(
  training: BudgetedTraining,
  epochs: number,
  epochSeconds: number,
  scheduler: LRScheduler | undefined,
): BudgetFit | undefined {
  if (!training.fitToMaxMinutes || !training.maxMinutes) return undefined;
  const fitted = epochsWithinBudget(epochs, training.maxMinutes, epochSeconds);
  if (fitted >= epochs) return undefined;
  if (scheduler instanceof CosineWarmupLR || scheduler instanceof PolynomialLR) scheduler.total = fitted;
  const fit: BudgetFit = {
    type: 'fit',
    planned: epochs,
    epochs: fitted,
    epochSeconds,
    maxMinutes: training.maxMinutes,
  };
  // A window of the planned run's last 8 of 40 epochs stays its last fifth: in a run cut to 6 epochs, an unscaled
  // window would average the first epochs' weights too.
  if (training.swa) fit.averagedEpochs = Math.max(1, Math.round((training.swa.epochs * fitted) / epochs));
  return fit;
}

/** The training section a fitted run records in its config.json, so that --resume continues the fitted run. */
export function fittedTraining<T extends BudgetedTraining & { epochs: number }>(training: T, fit: BudgetFit): T {
  const swa = training.swa && { ...training.swa, epochs: fit.averagedEpochs ?? training.swa.epochs };
  return { ...training, epochs: fit.epochs, ...(swa && { swa }) };
}
