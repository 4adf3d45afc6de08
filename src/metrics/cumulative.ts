import { classificationShape, type ClassificationOptions } from './classification-input.js';
import { MetricInputError } from './metric-input-error.js';

/**
 * Base of the accumulating classification metrics (MONAI's Cumulative pattern): `update(pred, target)`
 * appends a batch, `compute()` scores everything appended since the last `reset()`. Ranking metrics
 * (AUROC, AUPRC) need every score, so all classification metrics simply keep the inputs; the number of
 * columns K is fixed by the first batch.
 */
export abstract class CumulativeClassificationMetric<T> {
  private probs: number[] = [];
  private labels: number[] = [];
  private k = 0;

  constructor(protected readonly options: ClassificationOptions = {}) {}

  /** pred: probabilities ([B] binary or [B, K] row-major); target: class labels [B]. */
  update(pred: ArrayLike<number>, target: ArrayLike<number>): this {
    const name = `${this.constructor.name}.update`;
    const shape = classificationShape(pred, target, name);
    if (shape.n === 0) return this;
    if (this.k !== 0 && shape.k !== this.k) {
      throw new MetricInputError(name, `batch has ${shape.k} probability columns, earlier batches had ${this.k}`);
    }
    this.k = shape.k;
    for (let i = 0; i < pred.length; i++) this.probs.push(pred[i]);
    for (let i = 0; i < target.length; i++) this.labels.push(target[i]);
    return this;
  }

  compute(): T {
    return this.computeFrom(Float64Array.from(this.probs), Int32Array.from(this.labels));
  }

  reset(): void {
    this.probs = [];
    this.labels = [];
    this.k = 0;
  }

  protected abstract computeFrom(probs: Float64Array, labels: Int32Array): T;
}
