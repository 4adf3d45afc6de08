/**
 * GRU and LSTM (torch.nn.GRU/LSTM parameters, one layer, uni- or bidirectional) as ONNX's GRU and LSTM ops.
 * The gate blocks are reordered: PyTorch stacks GRU gates (r, z, n) and LSTM gates (i, f, g, o); ONNX wants
 * (z, r, h) and (i, o, f, c). PyTorch's GRU applies the reset gate after the recurrent matmul, which is ONNX's
 * linear_before_reset = 1. With `lengths` (int32 [N]) each sequence stops at its length, as a packed
 * sequence does: the reverse direction starts at the last real step and the outputs past it are 0.
 */
import { GRU, LSTM } from '../nn/index.js';
import { ExportError } from './export-error.js';
import { int, ints, str } from './graph-builder.js';
import { registerEmitter, values, type EmitContext } from './layer-emitters.js';

/** Rows of a [gates * H, cols] weight (or [gates * H] bias) with its gate blocks in the order `perm`. */
function reorderGates(w: Float32Array, hidden: number, perm: number[]): Float32Array {
  const block = (w.length / perm.length) | 0;
  const out = new Float32Array(w.length);
  perm.forEach((from, to) => out.set(w.subarray(from * block, (from + 1) * block), to * block));
  if (block % hidden) throw new Error('reorderGates: weight rows are not a multiple of the hidden size');
  return out;
}

function concat(parts: Float32Array[]): Float32Array {
  const out = new Float32Array(parts.reduce((a, p) => a + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/**
 * Runs `m` on batch-first x [N, T, in]; returns the outputs [N, T, directions * H] (forward then reverse
 * halves, as PyTorch concatenates them).
 */
export function recurrent(ctx: EmitContext, m: GRU | LSTM, name: string, x: string, lengths?: string): string {
  const lstm = m instanceof LSTM;
  if (m.numLayers !== 1)
    throw new ExportError(`cannot export layer '${name}' (${lstm ? 'LSTM' : 'GRU'} with ${m.numLayers} layers)`);
  if (!m.batchFirst) throw new ExportError(`cannot export layer '${name}' (batchFirst false)`);
  const g = ctx.g;
  const h = m.hiddenSize;
  const perm = lstm ? [0, 3, 1, 2] : [1, 0, 2];
  const gates = perm.length;
  const dirs = m.bidirectional ? ['_l0', '_l0_reverse'] : ['_l0'];
  const state = new Map(m.stateDict());
  const param = (key: string) => {
    const t = state.get(key);
    return t ? values(t) : undefined;
  };
  const w = concat(dirs.map((d) => reorderGates(param(`weight_ih${d}`)!, h, perm)));
  const r = concat(dirs.map((d) => reorderGates(param(`weight_hh${d}`)!, h, perm)));
  const b = m.bias
    ? concat(
        dirs.flatMap((d) => [
          reorderGates(param(`bias_ih${d}`)!, h, perm),
          reorderGates(param(`bias_hh${d}`)!, h, perm),
        ]),
      )
    : undefined;
  const n = dirs.length;
  const inputs = [
    g.node('Transpose', [x], { perm: ints([1, 0, 2]) }, name), // [T, N, in]
    g.floats(`${name}.W`, w, [n, gates * h, m.inputSize]),
    g.floats(`${name}.R`, r, [n, gates * h, h]),
    b ? g.floats(`${name}.B`, b, [n, 2 * gates * h]) : '',
    lengths ?? '',
  ];
  const [y] = g.nodeN(
    lstm ? 'LSTM' : 'GRU',
    inputs,
    {
      hidden_size: int(h),
      direction: str(m.bidirectional ? 'bidirectional' : 'forward'),
      ...(lstm ? {} : { linear_before_reset: int(1) }),
    },
    name,
    1,
  ); // Y [T, directions, N, H]
  const batchFirst = g.node('Transpose', [y], { perm: ints([2, 0, 1, 3]) }, name); // [N, T, directions, H]
  return g.node('Reshape', [batchFirst, g.int64([0, 0, -1])], {}, name);
}

registerEmitter(GRU, (ctx, m, name, [x, lengths]) => recurrent(ctx, m, name, x, lengths));
registerEmitter(LSTM, (ctx, m, name, [x, lengths]) => recurrent(ctx, m, name, x, lengths));
