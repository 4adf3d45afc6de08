import { type Tensor } from '../../tensor/index.js';
import { Module } from '../module.js';

export class ReLU extends Module {
  forward(x: Tensor): Tensor {
    return x.relu();
  }
}
export class LeakyReLU extends Module {
  constructor(readonly negativeSlope = 0.01) {
    super();
  }
  forward(x: Tensor): Tensor {
    return x.leakyRelu(this.negativeSlope);
  }
}
export class GELU extends Module {
  constructor(readonly approximate: 'none' | 'tanh' = 'none') {
    super();
  }
  forward(x: Tensor): Tensor {
    return x.gelu(this.approximate);
  }
}
export class SiLU extends Module {
  forward(x: Tensor): Tensor {
    return x.silu();
  }
}
export class Sigmoid extends Module {
  forward(x: Tensor): Tensor {
    return x.sigmoid();
  }
}
export class Tanh extends Module {
  forward(x: Tensor): Tensor {
    return x.tanh();
  }
}
export class Softplus extends Module {
  constructor(
    readonly beta = 1,
    readonly threshold = 20,
  ) {
    super();
  }
  forward(x: Tensor): Tensor {
    return x.softplus(this.beta, this.threshold);
  }
}
export class Softmax extends Module {
  constructor(readonly dim: number) {
    super();
  }
  forward(x: Tensor): Tensor {
    return x.softmax(this.dim);
  }
}

export type ActivationName = 'relu' | 'leaky_relu' | 'gelu' | 'silu' | 'sigmoid' | 'tanh' | 'softplus' | 'identity';

/** Builds an activation module by name (config files name activations as strings). */
export function createActivation(name: ActivationName): Module {
  switch (name) {
    case 'relu':
      return new ReLU();
    case 'leaky_relu':
      return new LeakyReLU();
    case 'gelu':
      return new GELU();
    case 'silu':
      return new SiLU();
    case 'sigmoid':
      return new Sigmoid();
    case 'tanh':
      return new Tanh();
    case 'softplus':
      return new Softplus();
    case 'identity':
      return new (class extends Module {
        forward(x: Tensor): Tensor {
          return x;
        }
      })();
    default:
      throw new Error(
        `unknown activation '${name as string}'; expected one of relu, leaky_relu, gelu, silu, sigmoid, tanh, softplus, identity`,
      );
  }
}
