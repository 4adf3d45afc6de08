import { empty, F, type Tensor } from '../../tensor/index.js';
import { Module } from '../module.js';
import { fans, kaimingUniform_, uniform_ } from '../init.js';

type Tuple = number | number[];

export interface ConvConfig {
  stride?: Tuple;
  padding?: Tuple;
  dilation?: Tuple;
  groups?: number;
  bias?: boolean;
}

/** PyTorch's _ConvNd.reset_parameters: kaiming_uniform_(a=sqrt(5)) on the weight, U(+-1/sqrt(fan_in)) bias. */
function resetConvParameters(weight: Tensor, bias?: Tensor): void {
  kaimingUniform_(weight, { a: Math.sqrt(5) });
  if (!bias) return;
  const bound = 1 / Math.sqrt(fans(weight).fanIn);
  uniform_(bias, -bound, bound);
}

function expand(v: Tuple, dims: number): number[] {
  return typeof v === 'number' ? Array(dims).fill(v) : v;
}

/** Shared body of Conv1d/2d/3d (torch.nn.ConvNd: same parameters, same initialisation). */
abstract class ConvNd extends Module {
  readonly weight: Tensor;
  readonly bias?: Tensor;
  readonly options: F.ConvOptions;
  constructor(
    readonly dims: 1 | 2 | 3,
    readonly inChannels: number,
    readonly outChannels: number,
    kernelSize: Tuple,
    config: ConvConfig = {},
  ) {
    super();
    const groups = config.groups ?? 1;
    if (inChannels % groups || outChannels % groups)
      throw new Error(
        `Conv${dims}d: in (${inChannels}) and out (${outChannels}) channels must be divisible by groups (${groups})`,
      );
    const k = expand(kernelSize, dims);
    this.weight = this.param('weight', empty([outChannels, inChannels / groups, ...k]));
    if (config.bias ?? true) this.bias = this.param('bias', empty([outChannels]));
    resetConvParameters(this.weight, this.bias);
    this.options = { stride: config.stride ?? 1, padding: config.padding ?? 0, dilation: config.dilation ?? 1, groups };
  }
}

export class Conv1d extends ConvNd {
  constructor(inChannels: number, outChannels: number, kernelSize: Tuple, config?: ConvConfig) {
    super(1, inChannels, outChannels, kernelSize, config);
  }
  forward(x: Tensor): Tensor {
    return F.conv1d(x, this.weight, this.bias, this.options);
  }
}

export class Conv2d extends ConvNd {
  constructor(inChannels: number, outChannels: number, kernelSize: Tuple, config?: ConvConfig) {
    super(2, inChannels, outChannels, kernelSize, config);
  }
  forward(x: Tensor): Tensor {
    return F.conv2d(x, this.weight, this.bias, this.options);
  }
}

export class Conv3d extends ConvNd {
  constructor(inChannels: number, outChannels: number, kernelSize: Tuple, config?: ConvConfig) {
    super(3, inChannels, outChannels, kernelSize, config);
  }
  forward(x: Tensor): Tensor {
    return F.conv3d(x, this.weight, this.bias, this.options);
  }
}

export interface ConvTransposeConfig extends ConvConfig {
  outputPadding?: Tuple;
}

/** Shared body of ConvTranspose2d/3d; weight is [in, out / groups, *k] as in PyTorch. */
abstract class ConvTransposeNd extends Module {
  readonly weight: Tensor;
  readonly bias?: Tensor;
  readonly options: F.ConvTransposeOptions;
  constructor(
    dims: 2 | 3,
    inChannels: number,
    outChannels: number,
    kernelSize: Tuple,
    config: ConvTransposeConfig = {},
  ) {
    super();
    const groups = config.groups ?? 1;
    const k = expand(kernelSize, dims);
    this.weight = this.param('weight', empty([inChannels, outChannels / groups, ...k]));
    if (config.bias ?? true) this.bias = this.param('bias', empty([outChannels]));
    resetConvParameters(this.weight, this.bias);
    this.options = {
      stride: config.stride ?? 1,
      padding: config.padding ?? 0,
      dilation: config.dilation ?? 1,
      outputPadding: config.outputPadding ?? 0,
      groups,
    };
  }
}

export class ConvTranspose2d extends ConvTransposeNd {
  constructor(inChannels: number, outChannels: number, kernelSize: Tuple, config?: ConvTransposeConfig) {
    super(2, inChannels, outChannels, kernelSize, config);
  }
  forward(x: Tensor): Tensor {
    return F.convTranspose2d(x, this.weight, this.bias, this.options);
  }
}

export class ConvTranspose3d extends ConvTransposeNd {
  constructor(inChannels: number, outChannels: number, kernelSize: Tuple, config?: ConvTransposeConfig) {
    super(3, inChannels, outChannels, kernelSize, config);
  }
  forward(x: Tensor): Tensor {
    return F.convTranspose3d(x, this.weight, this.bias, this.options);
  }
}
