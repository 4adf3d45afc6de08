/**
 * Optimizer base: parameters, learning rate, per-parameter state tensors and their (de)serialisation for
 * exact resume. Updates use libtorch's multi-tensor (_foreach) kernels: a handful of native calls per step
 * whatever the number of parameters.
 */
import { aten, keep, noGrad, Tensor, zerosLike } from '../tensor/index.js';

export abstract class Optimizer {
  readonly params: Tensor[];
  lr: number;
  stepCount = 0;
  /** Named per-parameter state tensors, e.g. { exp_avg: [...one per param] }. */
  protected readonly state = new Map<string, (Tensor | undefined)[]>();

  constructor(params: Iterable<Tensor>, lr: number) {
    this.params = [...params];
    if (!(lr > 0)) throw new RangeError(`optimizer: lr must be a positive number, got ${lr}`);
    this.lr = lr;
  }

  /** Drops gradients (set to none, like PyTorch's zero_grad(set_to_none=True)). */
  zeroGrad(): void {
    for (const p of this.params) p.grad = undefined;
  }

  /** Applies one update from the current gradients; parameters without a gradient are skipped. */
  step(): void {
    const withGrad: number[] = [];
    const grads: Tensor[] = [];
    for (let i = 0; i < this.params.length; i++) {
      const g = this.params[i].grad;
      if (g) {
        withGrad.push(i);
        grads.push(g);
      }
    }
    this.stepCount++;
    if (withGrad.length) noGrad(() => this.update(withGrad, grads));
    for (const g of grads) g.dispose(); // our handles only; the .grad storage stays with the parameter
  }

  protected abstract update(indices: number[], grads: Tensor[]): void;

  /** The state tensors of `name` for the given parameters, created as zeros on first use. */
  protected stateFor(name: string, indices: number[]): Tensor[] {
    let list = this.state.get(name);
    if (!list) this.state.set(name, (list = new Array(this.params.length)));
    return indices.map((i) => (list![i] ??= keep(zerosLike(this.params[i]))));
  }

  /** Optimizer state for checkpoints: tensors by name ("exp_avg.3") plus scalars. */
  stateDict(): { tensors: Map<string, Tensor>; scalars: Record<string, number> } {
    const tensors = new Map<string, Tensor>();
    for (const [name, list] of this.state) list.forEach((t, i) => t && tensors.set(`${name}.${i}`, t));
    return { tensors, scalars: { lr: this.lr, step: this.stepCount } };
  }

  loadStateDict(s: { tensors: Map<string, Tensor>; scalars: Record<string, number> }): void {
    this.lr = s.scalars.lr ?? this.lr;
    this.stepCount = s.scalars.step ?? 0;
    for (const [key, value] of s.tensors) {
      const dot = key.lastIndexOf('.');
      const name = key.slice(0, dot);
      const i = Number(key.slice(dot + 1));
      if (!(i >= 0 && i < this.params.length))
        throw new Error(`optimizer state: parameter index in '${key}' out of range`);
      const [target] = this.stateFor(name, [i]);
      if (target.shape.join() !== value.shape.join())
        throw new Error(`optimizer state: '${key}' has shape [${value.shape}], parameter has [${target.shape}]`);
      noGrad(() => target.copy_(value));
    }
  }

  dispose(): void {
    for (const list of this.state.values()) for (const t of list) t?.dispose();
    this.state.clear();
  }
}

/** In-place multi-tensor helpers (one native call for the whole list). */
export const foreach = {
  mulScalar_: (xs: Tensor[], s: number) => aten('_foreach_mul_.Scalar', xs, s),
  addList_: (xs: Tensor[], ys: Tensor[], alpha = 1) => aten('_foreach_add_.List', xs, ys, alpha),
  addScalar_: (xs: Tensor[], s: number) => aten('_foreach_add_.Scalar', xs, s),
  addcmul_: (xs: Tensor[], a: Tensor[], b: Tensor[], value: number) =>
    aten('_foreach_addcmul_.Scalar', xs, a, b, value),
  addcdiv_: (xs: Tensor[], a: Tensor[], b: Tensor[], value: number) =>
    aten('_foreach_addcdiv_.Scalar', xs, a, b, value),
  divScalar_: (xs: Tensor[], s: number) => aten('_foreach_div_.Scalar', xs, s),
  sqrt: (xs: Tensor[]) => aten('_foreach_sqrt', xs) as Tensor[],
  add: (xs: Tensor[], ys: Tensor[], alpha = 1) => aten<Tensor[]>('_foreach_add.List', xs, ys, alpha),
  copy_: (xs: Tensor[], ys: Tensor[]) => xs.forEach((x, i) => x.copy_(ys[i])),
};

export function disposeAll(xs: Tensor[]): void {
  for (const x of xs) x.dispose();
}
