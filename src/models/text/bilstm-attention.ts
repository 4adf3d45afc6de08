/**
 * BiLSTM with additive attention (Yang et al. 2016's word level; Zhou et al. 2016): embeddings -> a
 * bidirectional LSTM run on packed sequences (libtorch's fused kernel skips the padding, so a batch of
 * short notes costs what its tokens cost) -> additive attention pooling -> linear classifier.
 * Long notes are handled before the model: the tokenizer keeps their head and tail (text-tokenizer.ts).
 */
import { aten, F, zeros, type Tensor } from '../../tensor/index.js';
import { Embedding, Linear, LSTM } from '../../nn/index.js';
import type { AttentionResult } from '../attention-model.js';
import { AdditiveAttention } from './additive-attention.js';
import { TextModel, type TextModelConfig } from './text-model.js';

export interface TextBiLSTMConfig extends TextModelConfig {
  embedDim: number;
  hiddenSize: number;
  attentionSize: number;
  dropout: number;
}

export const textBiLSTMDefaults: TextBiLSTMConfig = {
  vocabSize: 8000,
  numClasses: 2,
  embedDim: 128,
  hiddenSize: 128,
  attentionSize: 128,
  dropout: 0.3,
};

export class TextBiLSTM extends TextModel<TextBiLSTMConfig> {
  readonly modelName = 'text_bilstm';
  readonly config: TextBiLSTMConfig;
  readonly embedding: Embedding;
  readonly lstm: LSTM;
  readonly attention: AdditiveAttention;
  readonly head: Linear;
  constructor(config: Partial<TextBiLSTMConfig> = {}) {
    super();
    this.config = { ...textBiLSTMDefaults, ...config };
    const c = this.config;
    this.embedding = this.module('embedding', new Embedding(c.vocabSize, c.embedDim, 0));
    this.lstm = this.module('lstm', new LSTM(c.embedDim, c.hiddenSize, { bidirectional: true, batchFirst: true }));
    this.attention = this.module('attention', new AdditiveAttention(2 * c.hiddenSize, c.attentionSize));
    this.head = this.module('head', new Linear(2 * c.hiddenSize, c.numClasses));
  }

  /** Hidden states [N, L, 2H] of the packed BiLSTM (zeros at padding). */
  encode(ids: Tensor): Tensor {
    const [n, l] = ids.shape;
    const lengths = ids.ne(0).sum(1).clamp(1, l); // an all-padding row still runs one step
    // Packing wants lengths in decreasing order: sort the batch, run, and put it back.
    const order = lengths.argsort(0, true);
    const inverse = order.argsort(0);
    const x = F.dropout(this.embedding.forward(ids.indexSelect(0, order)), this.config.dropout, this.training);
    const [data, batchSizes] = aten('_pack_padded_sequence', x, lengths.indexSelect(0, order), true) as Tensor[];
    const h0 = zeros([2, n, this.config.hiddenSize]);
    const [out] = aten(
      'lstm.data',
      data,
      batchSizes,
      [h0, h0],
      this.lstm.flatWeights,
      true,
      1,
      0,
      this.training,
      true,
    ) as Tensor[];
    const [padded] = aten('_pad_packed_sequence', out, batchSizes, true, 0, l) as Tensor[];
    return padded.indexSelect(0, inverse);
  }

  forwardWithAttention(ids: Tensor): AttentionResult {
    const h = this.encode(ids);
    const { context, weights } = this.attention.forward(h, ids.eq(0));
    const output = this.head.forward(F.dropout(context, this.config.dropout, this.training));
    return { output, attention: new Map([['tokens', weights]]) };
  }

  forward(ids: Tensor): Tensor {
    return this.forwardWithAttention(ids).output;
  }
}
