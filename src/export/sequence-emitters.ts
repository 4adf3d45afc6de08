/**
 * The ICU networks (`icu_rnn`, `icu_transformer`) and `fusion` in ONNX. The graph input is the packed hourly
 * grid their forward takes, `grid` [batch, 3, hours + 1, V] (src/data/icu/icu-grid.ts: values, masks,
 * hours since last observation; the last row holds the static descriptors), with the hours of the run fixed.
 * Outputs: logits, probabilities and the maps of forwardWithAttention: `attention/hours_variables`
 * [batch, hours, V] and `attention/hours` [batch, hours]; fusion: `attention/modalities` [batch, M] and each
 * encoder's maps under `attention/<input name>.<map>`.
 *
 * icu_rnn: variable attention, the GRU/LSTM as ONNX's GRU/LSTM op (recurrent-emitters.ts), additive attention
 * over hours. icu_transformer: the observed cells are chosen in the graph as the model chooses them (TopK of
 * mask * 2 + position, K = the batch's largest count of observations, at most maxTokens), then pre-norm blocks
 * with a key padding mask, and the [CLS] attention scattered back onto the grid.
 */
import { FusionModel } from '../models/fusion/fusion-model.js';
import { StaticEncoder } from '../models/fusion/static-encoder.js';
import type { ModalityEncoder } from '../models/fusion/modality-encoders.js';
import { IcuRnn, IcuTransformer } from '../models/sequence/icu-models.js';
import { IcuRnnEncoder } from '../models/sequence/icu-rnn-encoder.js';
import { ObservationTransformerEncoder } from '../models/sequence/observation-transformer-encoder.js';
import type { VariableAttention } from '../models/sequence/variable-attention.js';
import type { AttentionModel } from '../models/attention-model.js';
import type { PreNormBlock } from './token-ops.js';
import { arange, tidy } from '../tensor/index.js';
import { ExportError } from './export-error.js';
import { int, ints } from './graph-builder.js';
import { DataType } from './onnx-proto.js';
import { geluNodes, linear, type EmitContext } from './layer-emitters.js';
import { registerModelEmitter, type GraphInputSpec, type ModelOutputs } from './model-emitters.js';
import { recurrent } from './recurrent-emitters.js';
import { layerNorm, multiHeadAttention } from './transformer-emitters.js';
import {
  additivePaddingMask,
  attentionPool,
  constant,
  expandToBatch,
  narrow,
  preNormBlock,
  scalar,
  select,
  tokens as tokenLinear,
} from './token-ops.js';

/** The grid's hours and variables: from the run's recorded input shape, else 48 hours. */
function gridShape(numVariables: number, inputShape?: number[]): { hours: number; variables: number } {
  return { hours: inputShape && inputShape.length === 3 ? inputShape[1] - 1 : 48, variables: numVariables };
}

function gridInput(numVariables: number, numStatics: number, inputShape?: number[]): GraphInputSpec {
  const { hours, variables } = gridShape(numVariables, inputShape);
  return {
    name: 'grid',
    dims: ['batch', 3, hours + 1, variables],
    dtype: 'float32',
    layout:
      `grid [batch, 3, ${hours + 1}, ${variables}] float32 (src/data/icu/icu-grid.ts): planes values (standardised, ` +
      `carried forward), observed mask, hours since last observation / ${hours}; rows 0-${hours - 1} the hours, ` +
      `row ${hours} the ${numStatics} static descriptors (values, recorded mask)`,
  };
}

interface Grid {
  values: string;
  mask: string;
  delta: string;
  statics: string;
  staticMask: string;
}

/** splitIcuGrid in ONNX. */
function splitGrid(ctx: EmitContext, hours: number, numStatics: number): Grid {
  const series = narrow(ctx, 'grid.series', ctx.input, 2, 0, hours);
  const row = narrow(ctx, 'grid.statics', select(ctx, 'grid.statics', ctx.input, 2, hours), 2, 0, numStatics); // [N, 3, F]
  return {
    values: select(ctx, 'grid.values', series, 1, 0),
    mask: select(ctx, 'grid.mask', series, 1, 1),
    delta: select(ctx, 'grid.delta', series, 1, 2),
    statics: select(ctx, 'grid.statics', row, 1, 0),
    staticMask: select(ctx, 'grid.statics', row, 1, 1),
  };
}

interface SeriesMaps {
  embedding: string;
  hoursVariables: string;
  hours: string;
}

/** VariableAttention: pooled hour vectors [N, H, K * E] and the weights over variables [N, H, V]. */
function variableAttention(ctx: EmitContext, m: VariableAttention, name: string, grid: Grid) {
  const g = ctx.g;
  const last = (t: string) => g.node('Unsqueeze', [t, g.int64([-1])], {}, name);
  const stacked = g.node('Concat', [last(grid.values), last(grid.mask), last(grid.delta)], { axis: int(-1) }, name); // [N, H, V, 3]
  // einsum('nhvc,vce->nhve'): [N, H, V, 1, 3] @ [V, 3, E] -> [N, H, V, 1, E]
  const projected = g.node(
    'Squeeze',
    [
      g.node(
        'MatMul',
        [g.node('Unsqueeze', [stacked, g.int64([3])], {}, name), constant(ctx, `${name}.weight`, m.weight)],
        {},
        name,
      ),
      g.int64([3]),
    ],
    {},
    name,
  );
  const e = geluNodes(ctx, name, g.node('Add', [projected, constant(ctx, `${name}.bias`, m.bias)], {}, name)); // [N, H, V, E]
  const a = g.node('Softmax', [tokenLinear(ctx, m.score, `${name}.score`, e)], { axis: int(2) }, name); // [N, H, V, K]
  const pooled = g.node(
    'Reshape',
    [
      g.node('MatMul', [g.node('Transpose', [a], { perm: ints([0, 1, 3, 2]) }, name), e], {}, name),
      g.int64([0, 0, -1]),
    ],
    {},
    name,
  );
  return { pooled, weights: g.node('ReduceMean', [a], { axes: ints([3]), keepdims: int(0) }, name) };
}

function rnnEncoder(ctx: EmitContext, m: IcuRnnEncoder, name: string, grid: Grid): SeriesMaps {
  const g = ctx.g;
  const { pooled, weights: alpha } = variableAttention(ctx, m.variables, `${name}.variables`, grid);
  const raw = g.node('Concat', [grid.values, grid.mask, grid.delta], { axis: int(2) }, name);
  const hourInput = g.node('Add', [pooled, tokenLinear(ctx, m.direct, `${name}.direct`, raw)], {}, name);
  const output = recurrent(ctx, m.rnn, `${name}.rnn`, hourInput); // [N, H, D]
  const at = `${name}.attention`;
  const scores = g.node(
    'Squeeze',
    [
      tokenLinear(
        ctx,
        m.attention.score,
        `${at}.score`,
        g.node('Tanh', [tokenLinear(ctx, m.attention.proj, `${at}.proj`, output)], {}, at),
      ),
      g.int64([-1]),
    ],
    {},
    at,
  );
  const { context, weights: beta } = attentionPool(ctx, at, scores, output);
  return {
    embedding: g.node('Concat', [context, select(ctx, name, output, 1, -1)], { axis: int(1) }, name),
    hoursVariables: g.node('Mul', [alpha, g.node('Unsqueeze', [beta, g.int64([2])], {}, name)], {}, name),
    hours: beta,
  };
}

function transformerEncoder(
  ctx: EmitContext,
  m: ObservationTransformerEncoder,
  name: string,
  grid: Grid,
  hours: number,
): SeriesMaps {
  const g = ctx.g;
  const v = m.config.numVariables;
  const cells = hours * v;
  const flatMask = g.node('Reshape', [grid.mask, g.int64([0, cells])], {}, name);
  // K = clamp(round(max over the batch of observed cells), 1, maxTokens), as the model computes L
  const observed = g.node(
    'ReduceMax',
    [g.node('ReduceSum', [flatMask, g.int64([1])], { keepdims: int(1) }, name)],
    { axes: ints([0]), keepdims: int(0) },
    name,
  );
  const k = g.node(
    'Cast',
    [
      g.node(
        'Clip',
        [
          g.node('Round', [observed], {}, name),
          scalar(ctx, `${name}.one`, 1),
          scalar(ctx, `${name}.max_tokens`, m.config.maxTokens),
        ],
        {},
        name,
      ),
    ],
    { to: int(DataType.INT64) },
    name,
  );
  // the same float32 constants the model computes (libtorch computes them here)
  const { position, periods } = tidy(() => ({
    position: arange(0, cells).div(cells).toFloat32Array(),
    periods: arange(0, 8)
      .mul(Math.log(2 * hours) / 7)
      .exp()
      .toFloat32Array(),
  }));
  const key = g.node(
    'Add',
    [
      g.node('Mul', [flatMask, scalar(ctx, `${name}.two`, 2)], {}, name),
      g.floats(`${name}.position`, position, [cells]),
    ],
    {},
    name,
  );
  const [, indices] = g.nodeN('TopK', [key, k], { axis: int(1), largest: int(1), sorted: int(1) }, name, 2);
  const tokenMask = g.node('GatherElements', [flatMask, indices], { axis: int(1) }, name); // [N, L]
  const value = g.node(
    'GatherElements',
    [g.node('Reshape', [grid.values, g.int64([0, cells])], {}, name), indices],
    { axis: int(1) },
    name,
  );
  const variable = g.node('Mod', [indices, g.int64([v])], {}, name);
  const hour = g.node(
    'Div',
    [
      g.node('Cast', [g.node('Sub', [indices, variable], {}, name)], { to: int(DataType.FLOAT) }, name),
      scalar(ctx, `${name}.v`, v),
    ],
    {},
    name,
  );
  const angle = g.node(
    'Mul',
    [
      g.node(
        'Div',
        [g.node('Unsqueeze', [hour, g.int64([-1])], {}, name), g.floats(`${name}.periods`, periods, [8])],
        {},
        name,
      ),
      scalar(ctx, `${name}.two_pi`, 2 * Math.PI),
    ],
    {},
    name,
  );
  const time = g.node(
    'Concat',
    [g.node('Sin', [angle], {}, name), g.node('Cos', [angle], {}, name)],
    { axis: int(-1) },
    name,
  );
  const x = g.node(
    'Add',
    [
      g.node(
        'Add',
        [
          g.node(
            'Gather',
            [constant(ctx, `${name}.variable_embedding`, m.variableEmbedding.weight), variable],
            { axis: int(0) },
            name,
          ),
          tokenLinear(ctx, m.valueProj, `${name}.value_proj`, g.node('Unsqueeze', [value, g.int64([-1])], {}, name)),
        ],
        {},
        name,
      ),
      tokenLinear(ctx, m.timeProj, `${name}.time_proj`, time),
    ],
    {},
    name,
  );
  let y = g.node('Concat', [expandToBatch(ctx, `${name}.cls_token`, m.clsToken, x), x], { axis: int(1) }, name);
  const ones = g.node(
    'Add',
    [
      g.node('Mul', [narrow(ctx, name, tokenMask, 1, 0, 1), scalar(ctx, `${name}.zero`, 0)], {}, name),
      scalar(ctx, `${name}.one`, 1),
    ],
    {},
    name,
  );
  const padding = g.node(
    'Equal',
    [g.node('Concat', [ones, tokenMask], { axis: int(1) }, name), scalar(ctx, `${name}.zero`, 0)],
    {},
    name,
  );
  const mask = additivePaddingMask(ctx, name, padding);
  let weights = '';
  m.blocks.items.forEach((b, i) => {
    const out = preNormBlock(ctx, b as unknown as PreNormBlock, `${name}.blocks.${i}`, y, mask);
    y = out.y;
    weights = out.weights;
  });
  const toTokens = g.node('Mul', [narrow(ctx, name, select(ctx, name, weights, 1, 0), 1, 1), tokenMask], {}, name);
  const cls = g.node(
    'Div',
    [
      toTokens,
      g.node(
        'Clip',
        [g.node('ReduceSum', [toTokens, g.int64([1])], { keepdims: int(1) }, name), scalar(ctx, `${name}.eps`, 1e-12)],
        {},
        name,
      ),
    ],
    {},
    name,
  );
  // the kept cells are distinct, so a plain scatter onto zeros is the model's scatterAdd
  const zeros = g.node('Mul', [flatMask, scalar(ctx, `${name}.zero`, 0)], {}, name);
  const gridMap = g.node(
    'Reshape',
    [g.node('ScatterElements', [zeros, indices, cls], { axis: int(1) }, name), g.int64([0, hours, v])],
    {},
    name,
  );
  return {
    embedding: layerNorm(ctx, m.norm, `${name}.norm`, select(ctx, name, y, 1, 0)),
    hoursVariables: gridMap,
    hours: g.node('ReduceSum', [gridMap, g.int64([2])], { keepdims: int(0) }, name),
  };
}

function seriesEncoder(
  ctx: EmitContext,
  m: IcuRnnEncoder | ObservationTransformerEncoder,
  name: string,
  grid: Grid,
  hours: number,
): SeriesMaps {
  return m instanceof IcuRnnEncoder ? rnnEncoder(ctx, m, name, grid) : transformerEncoder(ctx, m, name, grid, hours);
}

function classify(ctx: EmitContext, head: Parameters<typeof linear>[1], embedding: string): ModelOutputs {
  const logits = linear(ctx, head, 'head', embedding);
  return {
    kind: 'classification',
    logits,
    probabilities: ctx.g.node('Softmax', [logits], { axis: int(1) }, 'probabilities'),
  };
}

function icuSeries(ctx: EmitContext, m: IcuRnn | IcuTransformer, hours: number): ModelOutputs {
  const grid = splitGrid(ctx, hours, m.config.numStatics);
  const e = seriesEncoder(ctx, m.encoder, 'encoder', grid, hours);
  ctx.maps.set('hours_variables', e.hoursVariables);
  ctx.mapDims?.set('hours_variables', ['batch', hours, m.config.numVariables]);
  ctx.maps.set('hours', e.hours);
  ctx.mapDims?.set('hours', ['batch', hours]);
  return classify(ctx, m.head, e.embedding);
}

/** Hours of the graph input (fixed: the input's dim 2 minus the statics row). */
function hoursOf(ctx: EmitContext): number {
  const rows = ctx.inputDims?.[2];
  if (typeof rows !== 'number') throw new Error('ICU export: the grid input has no fixed number of rows');
  return rows - 1;
}

const icuInput = (m: IcuRnn | IcuTransformer, shape?: number[]) =>
  gridInput(m.config.numVariables, m.config.numStatics, shape);
registerModelEmitter(IcuRnn, (ctx, m) => icuSeries(ctx, m, hoursOf(ctx)), false, icuInput);
registerModelEmitter(IcuTransformer, (ctx, m) => icuSeries(ctx, m, hoursOf(ctx)), false, icuInput);

// ---- fusion ----

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
