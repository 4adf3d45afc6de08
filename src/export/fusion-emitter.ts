/**
 * `fusion` in ONNX, over the ICU grid its trainer feeds every encoder (input `grid`, as the ICU networks):
 * series encoders (icu_series_rnn, icu_series_transformer, from sequence-emitters.ts) and the static
 * descriptors' StaticEncoder (icu_static), the per-variable summaries' IcuSummaryEncoder (icu_summary,
 * icu-summary-emitter.ts), projected and fused by cross-attention over the present modalities
 * (absent ones masked out of the keys with -inf, the "none" token always visible). Outputs: logits,
 * probabilities, `attention/modalities` [batch, M] and each encoder's maps under `attention/<input name>.<map>`.
 * A fusion with an `image` or `table` encoder (another input than the grid) is a one-line error naming it.
 */
import { FusionModel } from '../models/fusion/fusion-model.js';
import { StaticEncoder } from '../models/fusion/static-encoder.js';
import { IcuSummaryEncoder } from '../models/fusion/icu-summary-encoder.js';
import type { ModalityEncoder } from '../models/fusion/modality-encoders.js';
import type { AttentionModel } from '../models/attention-model.js';
import { IcuRnnEncoder } from '../models/sequence/icu-rnn-encoder.js';
import { ObservationTransformerEncoder } from '../models/sequence/observation-transformer-encoder.js';
import { ExportError } from './export-error.js';
import { int } from './graph-builder.js';
import { DataType } from './onnx-proto.js';
import { geluNodes, linear, type EmitContext } from './layer-emitters.js';
import { registerModelEmitter } from './model-emitters.js';
import { layerNorm, multiHeadAttention } from './transformer-emitters.js';
import { icuSummaryEncoder } from './icu-summary-emitter.js';
import { classify, gridInput, hoursOf, seriesEncoder, splitGrid, type Grid } from './sequence-emitters.js';
import { additivePaddingMask, constant, expandToBatch, narrow, scalar } from './token-ops.js';

/** StaticEncoder: values, missing [N, F] -> embedding [N, D], weights [N, F]. */
function staticEncoder(
  ctx: EmitContext,
  m: StaticEncoder,
  name: string,
  v: string,
  missing: string,
): { embedding: string; weights: string } {
  const g = ctx.g;
  const one = scalar(ctx, `${name}.one`, 1);
  const present = g.node('Unsqueeze', [g.node('Sub', [one, missing], {}, name), g.int64([-1])], {}, name); // [N, F, 1]
  const observed = g.node(
    'Unsqueeze',
    [g.node('Mul', [v, g.node('Squeeze', [present, g.int64([-1])], {}, name)], {}, name), g.int64([-1])],
    {},
    name,
  );
  const tokens = layerNorm(
    ctx,
    m.norm,
    `${name}.norm`,
    g.node(
      'Add',
      [
        g.node(
          'Add',
          [
            g.node('Mul', [observed, constant(ctx, `${name}.value_direction`, m.valueDirection)], {}, name),
            g.node(
              'Mul',
              [constant(ctx, `${name}.missing_embedding`, m.missingEmbedding), g.node('Sub', [one, present], {}, name)],
              {},
              name,
            ),
          ],
          {},
          name,
        ),
        constant(ctx, `${name}.feature_embedding`, m.featureEmbedding),
      ],
      {},
      name,
    ),
  );
  const query = expandToBatch(ctx, `${name}.query`, m.query, v);
  const { output, weights } = multiHeadAttention(ctx, m.attn, `${name}.attn`, query, tokens, tokens);
  return {
    embedding: geluNodes(
      ctx,
      `${name}.out`,
      linear(ctx, m.out, `${name}.out`, g.node('Squeeze', [output, g.int64([1])], {}, name)),
    ),
    weights: g.node('Squeeze', [weights, g.int64([1])], {}, name),
  };
}

interface ModalityOut {
  embedding: string;
  present: string;
  maps: [string, string, (number | string)[]][];
}

function modality(ctx: EmitContext, e: ModalityEncoder, name: string, grid: Grid, hours: number): ModalityOut {
  const g = ctx.g;
  const inner = (e as { encoder?: unknown }).encoder;
  const positive = (t: string) =>
    g.node(
      'Cast',
      [g.node('Greater', [t, scalar(ctx, `${name}.zero`, 0)], {}, name)],
      { to: int(DataType.FLOAT) },
      name,
    );
  if (inner instanceof IcuRnnEncoder || inner instanceof ObservationTransformerEncoder) {
    const s = seriesEncoder(ctx, inner, `${name}.encoder`, grid, hours);
    return {
      embedding: s.embedding,
      present: positive(g.node('ReduceSum', [grid.mask, g.int64([1, 2])], { keepdims: int(0) }, name)),
      maps: [
        ['hours_variables', s.hoursVariables, ['batch', hours, inner.config.numVariables]],
        ['hours', s.hours, ['batch', hours]],
      ],
    };
  }
  if (inner instanceof IcuSummaryEncoder) {
    const s = icuSummaryEncoder(ctx, inner, `${name}.encoder`, grid, hours);
    return {
      embedding: s.embedding,
      present: positive(g.node('ReduceSum', [grid.mask, g.int64([1, 2])], { keepdims: int(0) }, name)),
      maps: [['variables', s.weights, ['batch', inner.config.numVariables]]],
    };
  }
  if (inner instanceof StaticEncoder) {
    // a `table` encoder reads [N, 2, F], which is not the grid the other encoders read
    if (!(e as { fromIcuGrid?: boolean }).fromIcuGrid)
      throw new ExportError(`cannot export layer '${name}' (table encoder): fusion exports read the ICU grid only`);
    const f = inner.config.numFeatures;
    const v = narrow(ctx, name, grid.statics, 1, 0, f);
    const missing = g.node(
      'Sub',
      [scalar(ctx, `${name}.one`, 1), narrow(ctx, name, grid.staticMask, 1, 0, f)],
      {},
      name,
    );
    const s = staticEncoder(ctx, inner, `${name}.encoder`, v, missing);
    return {
      embedding: s.embedding,
      present: positive(
        g.node(
          'ReduceSum',
          [g.node('Sub', [scalar(ctx, `${name}.one`, 1), missing], {}, name), g.int64([1])],
          { keepdims: int(0) },
          name,
        ),
      ),
      maps: [['features', s.weights, ['batch', f]]],
    };
  }
  throw new ExportError(
    `cannot export layer '${name}' (${e.constructor.name}): the ONNX exporter has no emitter for this fusion encoder`,
  );
}

registerModelEmitter(
  FusionModel,
  (ctx, m) => {
    const g = ctx.g;
    const c = m.config;
    const hours = hoursOf(ctx);
    const grid = splitGrid(ctx, hours, c.numStatics);
    const embeddings: string[] = [];
    const present: string[] = [];
    c.inputs.forEach((input, i) => {
      const out = modality(ctx, m.encoders.items[i], `encoders.${i}`, grid, hours);
      embeddings.push(
        g.node(
          'Unsqueeze',
          [linear(ctx, m.projections.items[i], `projections.${i}`, out.embedding), g.int64([1])],
          {},
          `projections.${i}`,
        ),
      );
      present.push(g.node('Unsqueeze', [out.present, g.int64([1])], {}, `encoders.${i}`));
      for (const [key, map, dims] of out.maps) {
        ctx.maps.set(`${input.name}.${key}`, map);
        ctx.mapDims?.set(`${input.name}.${key}`, dims);
      }
    });
    const f = m.fusion;
    const mods = c.inputs.length;
    const presentAll = g.node('Concat', present, { axis: int(1) }, 'fusion'); // [N, M]
    const tokens = layerNorm(
      ctx,
      f.norm,
      'fusion.norm',
      g.node(
        'Add',
        [
          g.node('Concat', embeddings, { axis: int(1) }, 'fusion'),
          constant(ctx, 'fusion.modality_embedding', f.modalityEmbedding),
        ],
        {},
        'fusion',
      ),
    );
    const keys = g.node(
      'Concat',
      [expandToBatch(ctx, 'fusion.none_token', f.noneToken, tokens), tokens],
      { axis: int(1) },
      'fusion',
    );
    const p = g.node('Unsqueeze', [presentAll, g.int64([-1])], {}, 'fusion');
    const meanPresent = g.node(
      'Div',
      [
        g.node('ReduceSum', [g.node('Mul', [tokens, p], {}, 'fusion'), g.int64([1])], { keepdims: int(0) }, 'fusion'),
        g.node(
          'Clip',
          [g.node('ReduceSum', [p, g.int64([1])], { keepdims: int(0) }, 'fusion'), scalar(ctx, 'fusion.one', 1)],
          {},
          'fusion',
        ),
      ],
      {},
      'fusion',
    );
    const query = g.node(
      'Add',
      [
        expandToBatch(ctx, 'fusion.query', f.query, tokens),
        g.node('Unsqueeze', [meanPresent, g.int64([1])], {}, 'fusion'),
      ],
      {},
      'fusion',
    );
    const none = g.node(
      'Mul',
      [narrow(ctx, 'fusion', presentAll, 1, 0, 1), scalar(ctx, 'fusion.zero', 0)],
      {},
      'fusion',
    );
    const padding = g.node(
      'Greater',
      [
        g.node(
          'Concat',
          [none, g.node('Sub', [scalar(ctx, 'fusion.one', 1), presentAll], {}, 'fusion')],
          { axis: int(1) },
          'fusion',
        ),
        scalar(ctx, 'fusion.half', 0.5),
      ],
      {},
      'fusion',
    );
    const { output, weights } = multiHeadAttention(
      ctx,
      f.attn,
      'fusion.attn',
      query,
      keys,
      keys,
      additivePaddingMask(ctx, 'fusion', padding),
    );
    ctx.maps.set(
      'modalities',
      narrow(ctx, 'fusion', g.node('Squeeze', [weights, g.int64([1])], {}, 'fusion'), 1, 1, mods),
    );
    ctx.mapDims?.set('modalities', ['batch', mods]);
    const fused = g.node('Add', [g.node('Squeeze', [output, g.int64([1])], {}, 'fusion'), meanPresent], {}, 'fusion');
    return classify(ctx, m.head, fused);
  },
  false,
  (m: AttentionModel, shape?: number[]) => {
    const c = (m as FusionModel).config;
    const series = (m as FusionModel).encoders.items
      .map((e) => (e as { encoder?: unknown }).encoder)
      .find(
        (e): e is IcuRnnEncoder | ObservationTransformerEncoder =>
          e instanceof IcuRnnEncoder || e instanceof ObservationTransformerEncoder,
      );
    const variables = series?.config.numVariables ?? shape?.[2] ?? 37;
    return gridInput(variables, c.numStatics, shape);
  },
);
