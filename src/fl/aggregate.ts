/**
 * Federated averaging of model states (McMahan et al. 2017): each floating-point tensor is the mean of the
 * clients' tensors weighted by their training sample counts; integer tensors (batch-norm step counters) take
 * the largest. With FedBN (Li et al. 2021) clients keep their batch-norm entries local; the server still
 * averages them for its own copy, which it only uses to evaluate on its validation data.
 */
import { safetensorToArray, type SafetensorRecord } from '../tensor/safetensors.js';
import { BatchNorm } from '../nn/index.js';
import type { Module } from '../nn/index.js';

export interface ClientState {
  site: string;
  samples: number;
  /** The site's mean training loss in the round (reported, for the log). */
  loss?: number;
  tensors: Record<string, SafetensorRecord>;
}

export function fedAvg(states: readonly ClientState[]): Record<string, SafetensorRecord> {
  const total = states.reduce((s, c) => s + c.samples, 0);
  const out: Record<string, SafetensorRecord> = {};
  for (const [name, first] of Object.entries(states[0].tensors)) {
    if (first.dtype === 'F32' || first.dtype === 'F64') {
      const sum = new Float64Array(first.shape.reduce((a, b) => a * b, 1));
      for (const c of states) {
        const values = safetensorToArray(c.tensors[name]) as Float32Array | Float64Array;
        const w = c.samples / total;
        for (let k = 0; k < sum.length; k++) sum[k] += w * values[k];
      }
      const data = first.dtype === 'F32' ? Float32Array.from(sum) : sum;
      out[name] = { dtype: first.dtype, shape: first.shape, data: new Uint8Array(data.buffer) };
    } else {
      // Integer entries (num_batches_tracked): the largest count.
      let best = first;
      for (const c of states) {
        const v = safetensorToArray(c.tensors[name]) as BigInt64Array | Int32Array;
        const b = safetensorToArray(best) as BigInt64Array | Int32Array;
        if (v.length && b.length && v[0] > b[0]) best = c.tensors[name];
      }
      out[name] = best;
    }
  }
  return out;
}

/** State-dict names that belong to batch-norm layers (weights, biases, running statistics): FedBN keeps them local. */
export function batchNormKeys(model: Module): Set<string> {
  const keys = new Set<string>();
  for (const [prefix, m] of model.namedModules())
    if (m instanceof BatchNorm)
      for (const suffix of ['weight', 'bias', 'running_mean', 'running_var', 'num_batches_tracked'])
        keys.add(prefix ? `${prefix}.${suffix}` : suffix);
  return keys;
}
