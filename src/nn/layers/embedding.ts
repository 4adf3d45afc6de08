import { empty, F, noGrad, type Tensor } from '../../tensor/index.js';
import { Module } from '../module.js';
import { normal_ } from '../init.js';

/** A lookup table of `numEmbeddings` vectors (torch.nn.Embedding, N(0, 1) initialisation). */
export class Embedding extends Module {
  readonly weight: Tensor;
  constructor(
    readonly numEmbeddings: number,
    readonly embeddingDim: number,
    readonly paddingIdx?: number,
  ) {
    super();
    this.weight = this.param('weight', empty([numEmbeddings, embeddingDim]));
    normal_(this.weight);
    if (paddingIdx !== undefined) noGrad(() => this.weight.select(0, paddingIdx).zero_());
  }
  forward(indices: Tensor): Tensor {
    return F.embedding(this.weight, indices, this.paddingIdx ?? -1);
  }
}
