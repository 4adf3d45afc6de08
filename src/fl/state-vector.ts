/**
 * A model state's floating-point tensors as one flat vector, in a fixed order both ends agree on (the names
 * sorted), and back. Secure aggregation masks this vector and DP-FedAvg clips it; integer tensors (batch-norm
 * step counters) are not part of it and keep the global value.
 */
import { safetensorFromArray, safetensorToArray, type SafetensorRecord } from '../tensor/safetensors.js';

export type State = Record<string, SafetensorRecord>;

/** The F32 tensor names of `state`, sorted: the layout of the flat vector. */
export function vectorNames(state: State): string[] {
  return Object.keys(state)
    .filter((k) => state[k].dtype === 'F32')
    .sort();
}

export function flattenState(state: State, names: readonly string[]): Float32Array {
  const parts = names.map((k) => safetensorToArray(state[k] as SafetensorRecord & { dtype: 'F32' }));
  const out = new Float32Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

/** `base` with its `names` tensors replaced by consecutive slices of `vector` (the other entries kept). */
export function unflattenState(base: State, names: readonly string[], vector: Float32Array): State {
  const out: State = { ...base };
  let o = 0;
  for (const k of names) {
    const n = base[k].shape.reduce((a, b) => a * b, 1);
    out[k] = safetensorFromArray('F32', base[k].shape, vector.slice(o, o + n));
    o += n;
  }
  if (o !== vector.length) throw new Error(`state vector has ${vector.length} values, the model ${o}`);
  return out;
}
