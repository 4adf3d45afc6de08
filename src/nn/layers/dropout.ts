import { F, type Tensor } from '../../tensor/index.js';
import { Module } from '../module.js';

/** Zeroes elements with probability p in training and rescales by 1/(1-p) (torch.nn.Dropout). */
export class Dropout extends Module {
  constructor(readonly p = 0.5) {
    super();
    if (p < 0 || p > 1) throw new RangeError(`Dropout: p must be in [0, 1], got ${p}`);
  }
  forward(x: Tensor): Tensor {
    return this.p === 0 ? x : F.dropout(x, this.p, this.training);
  }
}

/** Zeroes whole channels (torch.nn.Dropout2d/3d). */
export class ChannelDropout extends Module {
  constructor(readonly p = 0.5) {
    super();
  }
  forward(x: Tensor): Tensor {
    return this.p === 0 ? x : F.featureDropout(x, this.p, this.training);
  }
}
