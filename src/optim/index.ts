/** Optimizers, gradient clipping and learning-rate schedules (torch.optim). */
export { Optimizer } from './optimizer.js';
export { SGD, type SGDOptions } from './sgd.js';
export { Adam, AdamW, type AdamOptions } from './adam.js';
export { clipGradNorm } from './clip.js';
export * from './schedulers.js';
