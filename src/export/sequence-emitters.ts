/**
 * The ICU networks (`icu_rnn`, `icu_transformer`) in ONNX. The graph input is the packed hourly
 * grid their forward takes, `grid` [batch, 3, hours + 1, V] (src/data/icu/icu-grid.ts: values, masks,
 * hours since last observation; the last row holds the static descriptors), with the hours of the run fixed.
 * Outputs: logits, probabilities and the maps of forwardWithAttention: `attention/hours_variables`
 * [batch, hours, V] and `attention/hours` [batch, hours]. `fusion` reuses these pieces (fusion-emitter.ts).
 *
 * icu_rnn: variable attention, the GRU/LSTM as ONNX's GRU/LSTM op (recurrent-emitters.ts), additive attention
 * over hours. icu_transformer: the observed cells are chosen in the graph as the model chooses them (TopK of
 * mask * 2 + position, K = the batch's largest count of observations, at most maxTokens), then pre-norm blocks
 * with a key padding mask, and the [CLS] attention scattered back onto the grid.
 */
import { IcuRnn, IcuTransformer } from '../models/sequence/icu-models.js';
import { IcuRnnEncoder } from '../models/sequence/icu-rnn-encoder.js';
import { ObservationTransformerEncoder } from '../models/sequence/observation-transformer-encoder.js';
import type { VariableAttention } from '../models/sequence/variable-attention.js';
import type { PreNormBlock } from './token-ops.js';
import { arange, tidy } from '../tensor/index.js';
import { int, ints } from './graph-builder.js';
import { DataType } from './onnx-proto.js';
import { geluNodes, linear, type EmitContext } from './layer-emitters.js';
import { registerModelEmitter, type GraphInputSpec, type ModelOutputs } from './model-emitters.js';
import { recurrent } from './recurrent-emitters.js';
import { layerNorm } from './transformer-emitters.js';
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

export function gridInput(numVariables: number, numStatics: number, inputShape?: number[]): GraphInputSpec {
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

export interface Grid {
  values: string;
  mask: string;
  delta: string;
  statics: string;
  staticMask: string;
}

/** splitIcuGrid in ONNX. */
export function splitGrid(ctx: EmitContext, hours: number, numStatics: number): Grid {
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

export interface SeriesMaps {
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

export function seriesEncoder(
  ctx: EmitContext,
  m: IcuRnnEncoder | ObservationTransformerEncoder,
  name: string,
  grid: Grid,
  hours: number,
): SeriesMaps {
  return m instanceof IcuRnnEncoder ? rnnEncoder(ctx, m, name, grid) : transformerEncoder(ctx, m, name, grid, hours);
}

export function classify(ctx: EmitContext, head: Parameters<typeof linear>[1], embedding: string): ModelOutputs {
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
export function hoursOf(ctx: EmitContext): number {
  const rows = ctx.inputDims?.[2];
  if (typeof rows !== 'number') throw new Error('ICU export: the grid input has no fixed number of rows');
  return rows - 1;
}

const icuInput = (m: IcuRnn | IcuTransformer, shape?: number[]) =>
  gridInput(m.config.numVariables, m.config.numStatics, shape);
registerModelEmitter(IcuRnn, (ctx, m) => icuSeries(ctx, m, hoursOf(ctx)), false, icuInput);
registerModelEmitter(IcuTransformer, (ctx, m) => icuSeries(ctx, m, hoursOf(ctx)), false, icuInput);
