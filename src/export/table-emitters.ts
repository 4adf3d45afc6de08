/**
 * The table classifiers (`ft_transformer`, `feature_attention`) in ONNX. The graph input is what their forward
 * takes, a table dataset's batch `table` [batch, 2, F]: row 0 the raw values (a categorical column as its
 * category code), row 1 the missing indicator (1 = missing). The preprocessing fitted in training (the
 * standardisation, the clip to ±5, the known categories) is inside the graph, from the tokenizer's buffers,
 * as it is inside the model. Outputs: logits, probabilities and `attention/features.channel` [batch, F], the
 * per-patient feature weights of forwardWithAttention.
 */
import { TableClassifier, FEATURE_WEIGHTS } from '../models/tabular/table-classifier.js';
import { FTTransformerEncoder, type ClsTransformerParts } from '../models/tabular/ft-transformer.js';
import { FeatureAttentionEncoder } from '../models/tabular/feature-attention.js';
import type { FeatureTokenizer } from '../models/tabular/feature-tokenizer.js';
import { int } from './graph-builder.js';
import { DataType } from './onnx-proto.js';
import { geluNodes, linear, values, type EmitContext } from './layer-emitters.js';
import { registerModelEmitter } from './model-emitters.js';
import { layerNorm, multiHeadAttention } from './transformer-emitters.js';
import { constant, expandToBatch, narrow, scalar, select, tokens as tokenLinear } from './token-ops.js';

/** FeatureTokenizer.forward on values, missing [N, F] -> tokens [N, F, D] (same ops, same order). */
export function featureTokens(ctx: EmitContext, t: FeatureTokenizer, name: string, v: string, missing: string): string {
  const g = ctx.g;
  const state = new Map(t.stateDict());
  const f = t.numFeatures;
  const isNumeric = values(state.get('is_numeric')!);
  const isCatValues = Float32Array.from(isNumeric, (x) => 1 - x);
  const isCat = g.floats(`${name}.is_categorical`, isCatValues, [f]);
  const one = scalar(ctx, `${name}.one`, 1);
  const present = g.node('Sub', [one, missing], {}, name);
  // category rows: offset + code where present and categorical, else row 0
  const code = g.node(
    'Min',
    [
      g.node(
        'Max',
        [g.node('Mul', [g.node('Mul', [v, isCat], {}, name), present], {}, name), scalar(ctx, `${name}.zero`, 0)],
        {},
        name,
      ),
      constant(ctx, `${name}.max_code`, state.get('max_code')!),
    ],
    {},
    name,
  );
  const codes = g.node('Cast', [g.node('Round', [code], {}, name)], { to: int(DataType.INT64) }, name);
  const offsets = Array.from(state.get('offsets')!.toArray() as BigInt64Array, Number);
  const lt = g.node(
    'Cast',
    [g.node('Less', [missing, scalar(ctx, `${name}.half`, 0.5)], {}, name)],
    { to: int(DataType.INT64) },
    name,
  );
  const index = g.node(
    'Mul',
    [
      g.node('Mul', [g.node('Add', [codes, g.int64(offsets)], {}, name), lt], {}, name),
      g.int64(Array.from(isCatValues, (x) => (x > 0.5 ? 1 : 0))),
    ],
    {},
    name,
  ); // [N, F]
  const known = g.node('Gather', [constant(ctx, `${name}.known`, t.known), index], { axis: int(0) }, name);
  const unseen = g.node('Mul', [g.node('Sub', [one, known], {}, name), isCat], {}, name);
  const miss = g.node(
    'Clip',
    [g.node('Add', [missing, unseen], {}, name), scalar(ctx, `${name}.zero`, 0), one],
    {},
    name,
  );
  const isNum = g.floats(`${name}.is_numeric`, isNumeric, [f]);
  const z = g.node(
    'Mul',
    [
      g.node(
        'Mul',
        [
          g.node(
            'Clip',
            [
              g.node(
                'Div',
                [
                  g.node('Sub', [v, constant(ctx, `${name}.mean`, t.mean)], {}, name),
                  constant(ctx, `${name}.std`, t.std),
                ],
                {},
                name,
              ),
              scalar(ctx, `${name}.lo`, -5),
              scalar(ctx, `${name}.hi`, 5),
            ],
            {},
            name,
          ),
          isNum,
        ],
        {},
        name,
      ),
      g.node('Sub', [one, miss], {}, name),
    ],
    {},
    name,
  );
  const numeric = g.node(
    'Mul',
    [
      g.node(
        'Mul',
        [g.node('Unsqueeze', [z, g.int64([-1])], {}, name), constant(ctx, `${name}.weight`, t.weight)],
        {},
        name,
      ),
      g.floats(`${name}.is_numeric_col`, isNumeric, [f, 1]),
    ],
    {},
    name,
  );
  const categorical = g.node(
    'Gather',
    [constant(ctx, `${name}.category_embedding`, t.categoryEmbedding), index],
    { axis: int(0) },
    name,
  ); // [N, F, D]
  const presentToken = g.node(
    'Add',
    [
      g.node(
        'Add',
        [numeric, g.node('Mul', [categorical, g.floats(`${name}.is_categorical_col`, isCatValues, [f, 1])], {}, name)],
        {},
        name,
      ),
      constant(ctx, `${name}.bias`, t.bias),
    ],
    {},
    name,
  );
  const isMissing = g.node(
    'Greater',
    [g.node('Unsqueeze', [miss, g.int64([-1])], {}, name), scalar(ctx, `${name}.half`, 0.5)],
    {},
    name,
  );
  return g.node('Where', [isMissing, constant(ctx, `${name}.missing_token`, t.missingToken), presentToken], {}, name);
}

/**
 * clsTransformer (ft-transformer.ts): [CLS] + tokens [N, F, D] through pre-norm blocks; the normalised [CLS]
 * embedding and [CLS]'s attention to the F tokens summed over layers and renormalised. `name` prefixes the
 * node names (the parts' own names in the state dict).
 */
export function clsTransformer(
  ctx: EmitContext,
  e: ClsTransformerParts,
  name: string,
  tokens: string,
  numTokens: number,
): { embedding: string; weights: string } {
  const g = ctx.g;
  const f = numTokens;
  let h = g.node(
    'Concat',
    [expandToBatch(ctx, `${name}.cls_token`, e.clsToken, tokens), tokens],
    { axis: int(1) },
    name,
  );
  let sum: string | undefined;
  e.blocks.items.forEach((b, i) => {
    const at = `${name}.blocks.${i}`;
    const n1 = layerNorm(ctx, b.norm1, `${at}.norm1`, h);
    const { output, weights } = multiHeadAttention(ctx, b.attn, `${at}.attn`, n1);
    const y = g.node('Add', [h, output], {}, at);
    const hidden = geluNodes(
      ctx,
      `${at}.mlp`,
      tokenLinear(ctx, b.mlp.fc1, `${at}.mlp.fc1`, layerNorm(ctx, b.norm2, `${at}.norm2`, y)),
    );
    h = g.node('Add', [y, tokenLinear(ctx, b.mlp.fc2, `${at}.mlp.fc2`, hidden)], {}, at);
    const w = narrow(ctx, at, select(ctx, at, weights, 1, 0), 1, 1, f); // [N, F]
    sum = sum ? g.node('Add', [sum, w], {}, at) : w;
  });
  const at = `${name}.weights`;
  const total = g.node(
    'Clip',
    [g.node('ReduceSum', [sum!, g.int64([1])], { keepdims: int(1) }, at), scalar(ctx, `${at}.eps`, 1e-12)],
    {},
    at,
  );
  return {
    embedding: layerNorm(ctx, e.norm, `${name}.norm`, select(ctx, name, h, 1, 0)),
    weights: g.node('Div', [sum!, total], {}, at),
  };
}

/** Feature attention: residual MLP per token, additive attention pooling over features. */
function featureAttention(
  ctx: EmitContext,
  e: FeatureAttentionEncoder,
  tokens: string,
): { embedding: string; weights: string } {
  const g = ctx.g;
  const mlp = tokenLinear(
    ctx,
    e.fc2,
    'encoder.fc2',
    geluNodes(
      ctx,
      'encoder.fc1',
      tokenLinear(ctx, e.fc1, 'encoder.fc1', layerNorm(ctx, e.norm1, 'encoder.norm1', tokens)),
    ),
  );
  const h = g.node('Add', [tokens, mlp], {}, 'encoder');
  const scores = g.node(
    'Squeeze',
    [
      tokenLinear(
        ctx,
        e.scoreOut,
        'encoder.score_out',
        g.node('Tanh', [tokenLinear(ctx, e.score, 'encoder.score', h)], {}, 'encoder.score'),
      ),
      g.int64([-1]),
    ],
    {},
    'encoder.score',
  );
  const weights = g.node('Softmax', [scores], { axis: int(1) }, 'features');
  const pooled = g.node(
    'ReduceSum',
    [g.node('Mul', [g.node('Unsqueeze', [weights, g.int64([-1])], {}, 'encoder'), h], {}, 'encoder'), g.int64([1])],
    { keepdims: int(0) },
    'encoder',
  );
  return { embedding: layerNorm(ctx, e.norm, 'encoder.norm', pooled), weights };
}

/** Table classifier: the encoder's embedding, ReLU, the linear head; feature weights as 'features.channel'. */
export function tableEncoding(
  ctx: EmitContext,
  m: TableClassifier,
  v: string,
  missing: string,
): { embedding: string; weights: string } {
  const e = m.encoder;
  const t = featureTokens(
    ctx,
    (e as FTTransformerEncoder | FeatureAttentionEncoder).tokenizer,
    'encoder.tokenizer',
    v,
    missing,
  );
  return e instanceof FTTransformerEncoder
    ? clsTransformer(ctx, e, 'encoder', t, e.tokenizer.numFeatures)
    : featureAttention(ctx, e as FeatureAttentionEncoder, t);
}

registerModelEmitter(
  TableClassifier,
  (ctx, m) => {
    const g = ctx.g;
    const v = select(ctx, 'values', ctx.input, 1, 0);
    const missing = select(ctx, 'missing', ctx.input, 1, 1);
    const { embedding, weights } = tableEncoding(ctx, m, v, missing);
    ctx.maps.set(FEATURE_WEIGHTS, weights);
    ctx.mapDims?.set(FEATURE_WEIGHTS, ['batch', m.config.columns.length]);
    const logits = linear(ctx, m.head, 'head', g.node('Relu', [embedding], {}, 'head'));
    return {
      kind: 'classification',
      logits,
      probabilities: g.node('Softmax', [logits], { axis: int(1) }, 'probabilities'),
    };
  },
  false,
  (m) => ({
    name: 'table',
    dims: ['batch', 2, m.config.columns.length],
    dtype: 'float32',
    layout:
      `table [batch, 2, ${m.config.columns.length}] float32: row 0 the raw values of the columns ` +
      `${JSON.stringify(m.config.columns.map((c) => c.name))} (a categorical column as its category code), ` +
      'row 1 the missing indicator (1 = missing); the scaling fitted in training is inside the graph',
  }),
);
