import { keep, type Tensor } from '../tensor/index.js';
import { disposeAll, foreach, Optimizer } from './optimizer.js';

export interface SGDOptions {
  lr: number;
  momentum?: number;
  dampening?: number;
  nesterov?: boolean;
  weightDecay?: number;
}

/** Stochastic gradient descent with momentum, Nesterov momentum and L2 weight decay (torch.optim.SGD). */
export class SGD extends Optimizer {
  readonly momentum: number;
  readonly dampening: number;
  readonly nesterov: boolean;
  readonly weightDecay: number;
  constructor(params: Iterable<Tensor>, o: SGDOptions) {
    super(params, o.lr);
    this.momentum = o.momentum ?? 0;
    this.dampening = o.dampening ?? 0;
    this.nesterov = o.nesterov ?? false;
    this.weightDecay = o.weightDecay ?? 0;
    if (this.nesterov && (this.momentum <= 0 || this.dampening !== 0))
      throw new RangeError('SGD: nesterov needs momentum > 0 and dampening 0');
  }

  protected update(indices: number[], grads: Tensor[]): void {
    const params = indices.map((i) => this.params[i]);
    const d = this.weightDecay ? foreach.add(grads, params, this.weightDecay) : grads;
    let direction = d;
    let nesterovStep: Tensor[] | undefined;
    if (this.momentum) {
      const bufs = this.momentumBuffers(indices, d);
      direction = this.nesterov ? (nesterovStep = foreach.add(d, bufs, this.momentum)) : bufs;
    }
    foreach.addList_(params, direction, -this.lr);
    if (d !== grads) disposeAll(d);
    if (nesterovStep) disposeAll(nesterovStep);
  }

  // First step: the buffer is the gradient itself; then buf = momentum * buf + (1 - dampening) * d.
  private momentumBuffers(indices: number[], d: Tensor[]): Tensor[] {
    let list = this.state.get('momentum_buffer');
    if (!list) this.state.set('momentum_buffer', (list = new Array(this.params.length)));
    const fresh: number[] = [];
    const bufs = indices.map((i, k) => {
      if (!list![i]) {
        list![i] = keep(d[k].clone());
        fresh.push(k);
      }
      return list![i]!;
    });
    const old = bufs.filter((_, k) => !fresh.includes(k));
    const oldD = d.filter((_, k) => !fresh.includes(k));
    if (old.length) {
      foreach.mulScalar_(old, this.momentum);
      foreach.addList_(old, oldD, 1 - this.dampening);
    }
    return bufs;
  }
}
