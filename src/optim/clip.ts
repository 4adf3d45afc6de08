import { aten, noGrad, type Tensor } from '../tensor/index.js';
import { foreach } from './optimizer.js';

/**
 * Scales all gradients so that their joint L2 norm is at most `maxNorm` (torch.nn.utils.clip_grad_norm_);
 * returns the norm before clipping.
 */
export function clipGradNorm(params: Iterable<Tensor>, maxNorm: number): number {
  const grads = [...params].map((p) => p.grad).filter((g): g is Tensor => !!g);
  if (!grads.length) return 0;
  return noGrad(() => {
    const norms = aten<Tensor[]>('_foreach_norm.Scalar', grads, 2);
    const stacked = aten('stack', norms, 0) as Tensor;
    const totalT = stacked.norm(2);
    const total = totalT.item();
    for (const t of [...norms, stacked, totalT]) t.dispose();
    const coef = maxNorm / (total + 1e-6);
    if (coef < 1) foreach.mulScalar_(grads, coef);
    for (const g of grads) g.dispose();
    return total;
  });
}
