/**
 * The `icu_summary` fusion encoder in ONNX (src/models/fusion/icu-summary-encoder.ts): the per-variable
 * summaries of icu-summary-features.ts from the grid's planes (the same masked reductions, in the same order),
 * one token per variable by a per-variable matrix, then the [CLS] transformer of the tabular FT-Transformer
 * (table-emitters.ts). Returns the embedding [N, D] and the weights over variables [N, V].
 */
import { ICU_SUMMARY_FEATURES, SUMMARY_FAR } from '../models/fusion/icu-summary-features.js';
import type { IcuSummaryEncoder } from '../models/fusion/icu-summary-encoder.js';
import { int, ints } from './graph-builder.js';
import { DataType } from './onnx-proto.js';
import type { EmitContext } from './layer-emitters.js';
import type { Grid } from './sequence-emitters.js';
import { clsTransformer } from './table-emitters.js';
import { constant, scalar, select } from './token-ops.js';

/** icuSummaryFeatures: values, mask, delta [N, H, V] -> [N, V, S]. */
function summaryFeatures(ctx: EmitContext, name: string, grid: Grid, hours: number): string {
  const g = ctx.g;
  const one = scalar(ctx, `${name}.one`, 1);
  const count = g.node('ReduceSum', [grid.mask, g.int64([1])], { keepdims: int(0) }, name); // [N, V]
  const observed = g.node(
    'Cast',
    [g.node('Greater', [count, scalar(ctx, `${name}.zero`, 0)], {}, name)],
    { to: int(DataType.FLOAT) },
    name,
  );
  const masked = g.node('Mul', [grid.values, grid.mask], {}, name);
  const isFirst = g.node(
    'Cast',
    [
      g.node(
        'Equal',
        [g.node('CumSum', [grid.mask, g.tensor(`${name}.axis`, DataType.INT32, Int32Array.of(1), [])], {}, name), one],
        {},
        name,
      ),
    ],
    { to: int(DataType.FLOAT) },
    name,
  );
  const firstHour = g.node('Mul', [grid.mask, isFirst], {}, name);
  const far = g.node(
    'Mul',
    [g.node('Sub', [one, grid.mask], {}, name), scalar(ctx, `${name}.far`, SUMMARY_FAR)],
    {},
    name,
  );
  const reduce = (op: string, x: string) => g.node(op, [x], { axes: ints([1]), keepdims: int(0) }, name);
  const sum = (x: string) => g.node('ReduceSum', [x, g.int64([1])], { keepdims: int(0) }, name);
  const features = [
    select(ctx, name, grid.values, 1, hours - 1),
    sum(g.node('Mul', [masked, firstHour], {}, name)),
    g.node('Div', [sum(masked), g.node('Max', [count, one], {}, name)], {}, name),
    g.node('Mul', [reduce('ReduceMin', g.node('Add', [masked, far], {}, name)), observed], {}, name),
    g.node('Mul', [reduce('ReduceMax', g.node('Sub', [masked, far], {}, name)), observed], {}, name),
    g.node('Log', [g.node('Add', [count, one], {}, name)], {}, name),
    select(ctx, name, grid.delta, 1, hours - 1),
    observed,
  ];
  if (features.length !== ICU_SUMMARY_FEATURES.length) throw new Error('icu_summary emitter: feature list out of date');
  return g.node(
    'Concat',
    features.map((f) => g.node('Unsqueeze', [f, g.int64([-1])], {}, name)),
    { axis: int(-1) },
    name,
  );
}

export function icuSummaryEncoder(
  ctx: EmitContext,
  m: IcuSummaryEncoder,
  name: string,
  grid: Grid,
  hours: number,
): { embedding: string; weights: string } {
  const g = ctx.g;
  const s = summaryFeatures(ctx, `${name}.summary`, grid, hours);
  // einsum('nvs,vsd->nvd'): [N, V, 1, S] @ [V, S, D] -> [N, V, 1, D]
  const tokens = g.node(
    'Add',
    [
      g.node(
        'Squeeze',
        [
          g.node(
            'MatMul',
            [g.node('Unsqueeze', [s, g.int64([2])], {}, name), constant(ctx, `${name}.weight`, m.weight)],
            {},
            name,
          ),
          g.int64([2]),
        ],
        {},
        name,
      ),
      constant(ctx, `${name}.bias`, m.bias),
    ],
    {},
    name,
  );
  return clsTransformer(ctx, m, name, tokens, m.config.numVariables);
}
