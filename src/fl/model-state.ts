/** A model's state as safetensors records (what travels between sites) and back into a model. */
import { recordToTensor, tensorToRecord } from '../tensor/serialization.js';
import type { SafetensorRecord } from '../tensor/safetensors.js';
import type { Module } from '../nn/index.js';

export type StateRecords = Record<string, SafetensorRecord>;

export function modelState(model: Module): StateRecords {
  const out: StateRecords = {};
  for (const [name, t] of model.stateDict()) out[name] = tensorToRecord(t);
  return out;
}

/** Loads `state` into `model`, except the names in `keepLocal` (FedBN's batch-norm entries). */
export function loadModelState(model: Module, state: StateRecords, keepLocal: Set<string> = new Set()): void {
  const tensors = new Map(
    Object.entries(state)
      .filter(([name]) => !keepLocal.has(name))
      .map(([name, r]) => [name, recordToTensor(r)] as const),
  );
  model.loadStateDict(tensors, { strict: keepLocal.size === 0 });
  for (const t of tensors.values()) t.dispose();
}

/** Why `state` cannot be this model's (another architecture): names or shapes that differ; undefined when it fits. */
export function architectureMismatch(expected: StateRecords, state: StateRecords): string | undefined {
  const missing = Object.keys(expected).filter((k) => !(k in state));
  const extra = Object.keys(state).filter((k) => !(k in expected));
  if (missing.length || extra.length)
    return `tensor names differ (missing ${missing.slice(0, 3).join(', ') || 'none'}; unexpected ${extra.slice(0, 3).join(', ') || 'none'})`;
  for (const [k, r] of Object.entries(expected)) {
    const s = state[k];
    if (s.dtype !== r.dtype || s.shape.join('x') !== r.shape.join('x'))
      return `${k} is ${s.dtype}[${s.shape.join(', ')}], the model's is ${r.dtype}[${r.shape.join(', ')}]`;
  }
  return undefined;
}
