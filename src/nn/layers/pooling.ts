import { F, type Tensor } from '../../tensor/index.js';
import { Module } from '../module.js';

type Tuple = number | number[];

export class MaxPool2d extends Module {
  constructor(
    readonly kernelSize: Tuple,
    readonly options: F.PoolOptions = {},
  ) {
    super();
  }
  forward(x: Tensor): Tensor {
    return F.maxPool2d(x, this.kernelSize, this.options);
  }
}
export class MaxPool3d extends Module {
  constructor(
    readonly kernelSize: Tuple,
    readonly options: F.PoolOptions = {},
  ) {
    super();
  }
  forward(x: Tensor): Tensor {
    return F.maxPool3d(x, this.kernelSize, this.options);
  }
}
export class AvgPool2d extends Module {
  constructor(
    readonly kernelSize: Tuple,
    readonly options: F.PoolOptions = {},
  ) {
    super();
  }
  forward(x: Tensor): Tensor {
    return F.avgPool2d(x, this.kernelSize, this.options);
  }
}
export class AvgPool3d extends Module {
  constructor(
    readonly kernelSize: Tuple,
    readonly options: F.PoolOptions = {},
  ) {
    super();
  }
  forward(x: Tensor): Tensor {
    return F.avgPool3d(x, this.kernelSize, this.options);
  }
}
export class AdaptiveAvgPool2d extends Module {
  constructor(readonly outputSize: Tuple) {
    super();
  }
  forward(x: Tensor): Tensor {
    return F.adaptiveAvgPool2d(x, this.outputSize);
  }
}
export class AdaptiveAvgPool3d extends Module {
  constructor(readonly outputSize: Tuple) {
    super();
  }
  forward(x: Tensor): Tensor {
    return F.adaptiveAvgPool3d(x, this.outputSize);
  }
}
export class AdaptiveMaxPool2d extends Module {
  constructor(readonly outputSize: Tuple) {
    super();
  }
  forward(x: Tensor): Tensor {
    return F.adaptiveMaxPool2d(x, this.outputSize);
  }
}

/** Resizes feature maps (torch.nn.Upsample). */
export class Upsample extends Module {
  constructor(readonly options: F.InterpolateOptions) {
    super();
  }
  forward(x: Tensor): Tensor {
    return F.interpolate(x, this.options);
  }
}

/** Flattens dims startDim..endDim (torch.nn.Flatten: from dim 1 by default). */
export class Flatten extends Module {
  constructor(
    readonly startDim = 1,
    readonly endDim = -1,
  ) {
    super();
  }
  forward(x: Tensor): Tensor {
    return x.flatten(this.startDim, this.endDim);
  }
}
