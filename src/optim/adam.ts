import { type Tensor } from '../tensor/index.js';
import { disposeAll, foreach, Optimizer } from './optimizer.js';

export interface AdamOptions {
  lr?: number;
  betas?: [number, number];
  eps?: number;
  weightDecay?: number;
}

/**
 * Adam (Kingma & Ba 2015) with L2 weight decay added to the gradient, as torch.optim.Adam; `decoupled`
 * gives AdamW (Loshchilov & Hutter 2019): the decay shrinks the weights directly.
 */
export class Adam extends Optimizer {
  readonly betas: [number, number];
  readonly eps: number;
  readonly weightDecay: number;
  protected decoupled = false;
  constructor(params: Iterable<Tensor>, o: AdamOptions = {}) {
    super(params, o.lr ?? 1e-3);
    this.betas = o.betas ?? [0.9, 0.999];
    this.eps = o.eps ?? 1e-8;
    this.weightDecay = o.weightDecay ?? 0;
  }

  protected update(indices: number[], grads: Tensor[]): void {
    const [beta1, beta2] = this.betas;
    const params = indices.map((i) => this.params[i]);
    const m = this.stateFor('exp_avg', indices);
    const v = this.stateFor('exp_avg_sq', indices);
    let g = grads;
    if (this.weightDecay) {
      if (this.decoupled) foreach.mulScalar_(params, 1 - this.lr * this.weightDecay);
      else g = foreach.add(grads, params, this.weightDecay);
    }
    // One shared step count: every parameter of our models gets a gradient every step.
    const t = this.stepCount;
    foreach.mulScalar_(m, beta1);
    foreach.addList_(m, g, 1 - beta1);
    foreach.mulScalar_(v, beta2);
    foreach.addcmul_(v, g, g, 1 - beta2);
    const biasCorrection1 = 1 - beta1 ** t;
    const biasCorrection2 = 1 - beta2 ** t;
    const denom = foreach.sqrt(v);
    foreach.divScalar_(denom, Math.sqrt(biasCorrection2));
    foreach.addScalar_(denom, this.eps);
    foreach.addcdiv_(params, m, denom, -this.lr / biasCorrection1);
    disposeAll(denom);
    if (g !== grads) disposeAll(g);
  }
}

/** AdamW: Adam with decoupled weight decay (default 0.01, as torch.optim.AdamW). */
export class AdamW extends Adam {
  constructor(params: Iterable<Tensor>, o: AdamOptions = {}) {
    super(params, { ...o, weightDecay: o.weightDecay ?? 0.01 });
    this.decoupled = true;
  }
}
