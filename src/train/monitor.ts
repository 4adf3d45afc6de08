/** The validation metric that picks the best checkpoint, and which direction is better for it. */
import type { TrainingConfig } from './config.js';

/** Metrics where lower is better; every other metric is maximised. */
const LOWER_IS_BETTER = new Set(['val_loss', 'hd95', 'ece']);

export function isLowerBetter(metric: string): boolean {
  return LOWER_IS_BETTER.has(metric);
}

export function defaultMonitor(task: TrainingConfig['task']): string {
  return task === 'classification' ? 'auroc' : task === 'detection' ? 'map50' : task === 'text' ? 'macro_f1' : 'dice';
}
