import { empty, F, type Tensor } from '../../tensor/index.js';
import { Module } from '../module.js';
import { kaimingUniform_, uniform_ } from '../init.js';

/** y = x W^T + b (torch.nn.Linear, same initialisation). */
export class Linear extends Module {
  readonly weight: Tensor;
  readonly bias?: Tensor;
  constructor(
    readonly inFeatures: number,
    readonly outFeatures: number,
    options: { bias?: boolean } = {},
  ) {
    super();
    this.weight = this.param('weight', empty([outFeatures, inFeatures]));
    kaimingUniform_(this.weight, { a: Math.sqrt(5) });
    if (options.bias ?? true) {
      this.bias = this.param('bias', empty([outFeatures]));
      const bound = inFeatures > 0 ? 1 / Math.sqrt(inFeatures) : 0;
      uniform_(this.bias, -bound, bound);
    }
  }
  forward(x: Tensor): Tensor {
    return F.linear(x, this.weight, this.bias);
  }
}

/** Passes its input through (a placeholder where a block is optional). */
export class Identity extends Module {
  forward(x: Tensor): Tensor {
    return x;
  }
}
