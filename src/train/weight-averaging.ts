/**
 * Stochastic weight averaging (Izmailov et al., "Averaging Weights Leads to Wider Optima and Better
 * Generalization", UAI 2018; torch.optim.swa_utils): the equal-weight mean of a network's parameters at the
 * end of its last epochs. The BatchNorm running statistics of those epochs belong to their own weights, not to
 * the mean, so they are recomputed for it over a pass of the training data (swa_utils.update_bn).
 */
import { BatchNorm, type Module } from '../nn/index.js';
import { keep, noGrad, tidy, type Tensor } from '../tensor/index.js';

export class WeightAverage {
  readonly #mean = new Map<string, Tensor>();
  /** Snapshots averaged so far. */
  count = 0;

  /** Adds the model's current parameters as one more snapshot. */
  update(model: Module): void {
    tidy(() =>
      noGrad(() => {
        for (const [name, p] of model.namedParameters()) {
          const mean = this.#mean.get(name);
          if (!mean) this.#mean.set(name, keep(p.detach().clone()));
          else if (this.count === 0)
            mean.copy_(p); // a new window reuses the tensors of the last one
          else mean.lerp_(p, 1 / (this.count + 1)); // mean + (p - mean) / (n + 1)
        }
      }),
    );
    this.count++;
  }

  /** Starts again from no snapshot (the averaging window begins). */
  reset(): void {
    this.count = 0;
  }

  /** Copies the mean into the model's parameters (its buffers stay as they are). */
  copyTo(model: Module): void {
    if (!this.count) throw new Error('WeightAverage.copyTo: no snapshot averaged yet');
    model.loadStateDict(this.#mean, { strict: false });
  }

  /** The mean by parameter name, for checkpoints (the tensors themselves). */
  tensors(): Map<string, Tensor> {
    return this.count ? new Map(this.#mean) : new Map();
  }

  /** Restores a checkpointed mean of `count` snapshots (copies the tensors). */
  load(tensors: Map<string, Tensor>, count: number): void {
    this.dispose();
    for (const [name, t] of tensors) this.#mean.set(name, keep(t.clone()));
    this.count = tensors.size ? count : 0;
  }

  dispose(): void {
    for (const t of this.#mean.values()) t.dispose();
    this.#mean.clear();
    this.count = 0;
  }
}

/**
 * Recomputes every BatchNorm's running statistics as the plain mean over the batches `pass` feeds the model
 * in training mode (each batch counts once, as torch's momentum=None). Momenta are restored afterwards.
 */
export async function recomputeBatchNorm<T>(model: Module, pass: () => Promise<T>): Promise<T> {
  const norms = [...model.namedModules()]
    .map(([, m]) => m)
    .filter((m): m is BatchNorm => m instanceof BatchNorm && !!m.runningMean);
  const momenta = norms.map((m) => m.momentum);
  for (const m of norms) {
    m.resetRunningStats();
    m.momentum = null;
  }
  try {
    return await pass();
  } finally {
    norms.forEach((m, i) => (m.momentum = momenta[i]));
  }
}
