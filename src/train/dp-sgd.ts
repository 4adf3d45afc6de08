/**
 * DP-SGD (Abadi et al. 2016): each example's gradient is clipped to L2 norm `clipNorm`, the clipped gradients
 * are summed, Gaussian noise N(0, (noiseMultiplier * clipNorm)^2) is added to the sum, and the optimizer steps on
 * the noisy sum divided by the batch size. Per-example gradients come from microbatches of one: one forward
 * and backward pass per example (exact for every network and loss, no per-layer rules; costs about a batch's
 * worth of single-example passes, measured in docs/federated.md).
 *
 * What it does not cover: batch-norm running statistics are updated from the examples without noise (they
 * are not gradients), and the loader draws fixed-size shuffled batches, not Poisson samples; the reported
 * epsilon assumes Poisson sampling with q = batchSize / trainSize, as TensorFlow Privacy and Opacus report it.
 */
import { noGrad, randnLike, tidy, zerosLike, type Tensor } from '../tensor/index.js';
import { clipGradNorm, type Optimizer } from '../optim/index.js';
import { privacySpent } from '../privacy/rdp-accountant.js';
import type { TrainingBatch } from './batch-tensors.js';

export interface DpSgdOptions {
  noiseMultiplier: number;
  clipNorm: number;
  delta: number;
}

/**
 * DP-SGD's gradients for `batch`: each parameter's `grad` becomes the noisy mean of the clipped per-example
 * gradients, for the optimizer's next step (the trainer steps, after averaging over ranks in data-parallel
 * runs). Returns the mean loss of the examples.
 */
export function dpSgdGradients(
  params: Tensor[],
  optimizer: Optimizer,
  lossOf: (x: Tensor, y: Tensor, roi?: Tensor) => Tensor,
  batch: TrainingBatch,
  dp: DpSgdOptions,
): number {
  const n = batch.x.shape[0];
  const sums = noGrad(() => params.map((p) => zerosLike(p)));
  let lossSum = 0;
  try {
    for (let i = 0; i < n; i++) {
      tidy(() => {
        optimizer.zeroGrad();
        const l = lossOf(batch.x.narrow(0, i, 1), batch.y.narrow(0, i, 1), batch.roi?.narrow(0, i, 1));
        l.backward();
        lossSum += l.item();
        clipGradNorm(params, dp.clipNorm);
        noGrad(() =>
          params.forEach((p, j) => {
            const g = p.grad;
            if (g) sums[j].add_(g);
          }),
        );
      });
    }
    tidy(() =>
      noGrad(() =>
        params.forEach((p, j) => {
          p.grad = sums[j].add(randnLike(p).mul(dp.noiseMultiplier * dp.clipNorm)).div(n);
        }),
      ),
    );
  } finally {
    for (const s of sums) s.dispose();
  }
  return lossSum / n;
}

/** Epsilon at `dp.delta` after `steps` DP-SGD steps with batches of `batchSize` out of `trainSize` examples. */
export function dpSgdEpsilon(dp: DpSgdOptions, batchSize: number, trainSize: number, steps: number): number {
  return privacySpent({
    samplingProbability: Math.min(1, batchSize / trainSize),
    noiseMultiplier: dp.noiseMultiplier,
    steps,
    delta: dp.delta,
  }).epsilon;
}
