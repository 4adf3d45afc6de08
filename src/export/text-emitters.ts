/**
 * The text classifiers (`text_bilstm`, `text_transformer`) in ONNX. Input `input_ids` [batch, tokens] int64:
 * the run's tokenizer ids, right-padded with 0. There is no second input: as in the models, padding is where
 * the id is 0, so the graph derives the lengths (BiLSTM: ONNX LSTM with sequence_lens, which runs each
 * direction over the real tokens only, as the packed sequence does) and the key padding mask (transformer)
 * from the ids. Outputs: logits, probabilities, `attention/tokens` [batch, tokens] (the pooling weights, 0 on
 * padding) and, for the transformer, `attention/rollout` [batch, tokens].
 */
import { TextBiLSTM } from '../models/text/bilstm-attention.js';
import { TextTransformer } from '../models/text/text-transformer.js';
import type { AdditiveAttention } from '../models/text/additive-attention.js';
import type { AttentionModel } from '../models/attention-model.js';
import { int } from './graph-builder.js';
import { DataType } from './onnx-proto.js';
import { linear, type EmitContext } from './layer-emitters.js';
import { registerModelEmitter, type GraphInputSpec, type ModelOutputs } from './model-emitters.js';
import { recurrent } from './recurrent-emitters.js';
import { layerNorm } from './transformer-emitters.js';
import {
  additivePaddingMask,
  attentionPool,
  constant,
  preNormBlock,
  scalar,
  select,
  tokens as tokenLinear,
  type PreNormBlock,
} from './token-ops.js';

const textInput = (m: AttentionModel): GraphInputSpec => ({
  name: 'input_ids',
  dims: ['batch', 'tokens'],
  dtype: 'int64',
  layout:
    `input_ids [batch, tokens] int64: token ids of the run's tokenizer.json (vocabulary ${(m.config as { vocabSize: number }).vocabSize}), ` +
    'right-padded with 0; padding and lengths are read from the ids (no second input)',
});

/** ids == 0 (bool [N, T]). */
function paddingOf(ctx: EmitContext): string {
  return ctx.g.node('Equal', [ctx.input, ctx.g.int64([0])], {}, 'padding');
}

function pool(ctx: EmitContext, m: AdditiveAttention, name: string, h: string, padding: string) {
  const scores = ctx.g.node(
    'MatMul',
    [ctx.g.node('Tanh', [tokenLinear(ctx, m.proj, `${name}.proj`, h)], {}, name), constant(ctx, `${name}.v`, m.v)],
    {},
    name,
  ); // [N, T]
  return attentionPool(ctx, name, scores, h, padding);
}

function classify(
  ctx: EmitContext,
  m: TextBiLSTM | TextTransformer,
  context: string,
  tokenWeights: string,
): ModelOutputs {
  ctx.maps.set('tokens', tokenWeights);
  ctx.mapDims?.set('tokens', ['batch', 'tokens']);
  const logits = linear(ctx, m.head, 'head', context);
  return {
    kind: 'classification',
    logits,
    probabilities: ctx.g.node('Softmax', [logits], { axis: int(1) }, 'probabilities'),
  };
}

registerModelEmitter(
  TextBiLSTM,
  (ctx, m) => {
    const g = ctx.g;
    const padding = paddingOf(ctx);
    // lengths = count of non-padding ids, at least 1 (an all-padding row still runs one step)
    const real = g.node('Cast', [g.node('Not', [padding], {}, 'lengths')], { to: int(DataType.INT64) }, 'lengths');
    const lengths = g.node(
      'Cast',
      [
        g.node(
          'Max',
          [g.node('ReduceSum', [real, g.int64([1])], { keepdims: int(0) }, 'lengths'), g.int64([1])],
          {},
          'lengths',
        ),
      ],
      { to: int(DataType.INT32) },
      'lengths',
    );
    const embedded = g.node(
      'Gather',
      [constant(ctx, 'embedding.weight', m.embedding.weight), ctx.input],
      { axis: int(0) },
      'embedding',
    );
    const h = recurrent(ctx, m.lstm, 'lstm', embedded, lengths); // [N, T, 2H]
    const { context, weights } = pool(ctx, m.attention, 'attention', h, padding);
    return classify(ctx, m, context, weights);
  },
  false,
  textInput,
);

registerModelEmitter(
  TextTransformer,
  (ctx, m) => {
    const g = ctx.g;
    const padding = paddingOf(ctx);
    const t = g.node('Shape', [ctx.input], { start: int(1), end: int(2) }, 'position');
    const position = g.node(
      'Slice',
      [constant(ctx, 'position', m.position), g.int64([0]), t, g.int64([0])],
      {},
      'position',
    );
    let x = g.node(
      'Add',
      [
        g.node(
          'Gather',
          [constant(ctx, 'embedding.weight', m.embedding.weight), ctx.input],
          { axis: int(0) },
          'embedding',
        ),
        position,
      ],
      {},
      'embedding',
    );
    const mask = additivePaddingMask(ctx, 'padding', padding);
    let rollout: string | undefined;
    const half = scalar(ctx, 'rollout.half', 0.5);
    m.blocks.forEach((b, i) => {
      const at = `blocks.${i}`;
      const out = preNormBlock(ctx, b as unknown as PreNormBlock, at, x, mask);
      x = out.y;
      // rollout: 0.5 A + 0.5 I, rows renormalised, multiplied through the blocks
      const eye = g.node('EyeLike', [select(ctx, at, out.weights, 0, 0)], {}, at); // [T, T]
      const a = g.node('Mul', [g.node('Add', [out.weights, eye], {}, `rollout.${i}`), half], {}, `rollout.${i}`);
      const norm = g.node(
        'Div',
        [a, g.node('ReduceSum', [a, g.int64([-1])], { keepdims: int(1) }, `rollout.${i}`)],
        {},
        `rollout.${i}`,
      );
      rollout = rollout ? g.node('MatMul', [norm, rollout], {}, `rollout.${i}`) : norm;
    });
    const { context, weights } = pool(ctx, m.pool, 'pool', layerNorm(ctx, m.norm, 'norm', x), padding);
    if (rollout) {
      const read = g.node(
        'Squeeze',
        [
          g.node('MatMul', [g.node('Unsqueeze', [weights, g.int64([1])], {}, 'rollout'), rollout], {}, 'rollout'),
          g.int64([1]),
        ],
        {},
        'rollout',
      );
      ctx.maps.set('rollout', g.node('Where', [padding, scalar(ctx, 'rollout.zero', 0), read], {}, 'rollout'));
      ctx.mapDims?.set('rollout', ['batch', 'tokens']);
    }
    return classify(ctx, m, context, weights);
  },
  false,
  textInput,
);
