/**
 * Named tensors to and from safetensors files (the format PyTorch users load with safetensors.torch),
 * written atomically. bfloat16 and float16 travel as their raw 16-bit words.
 */
import { native } from './native.js';
import { dtypeCode, type DType } from './dtype.js';
import { Tensor } from './tensor.js';
import {
  readSafetensorsFile,
  writeSafetensorsFile,
  type SafetensorRecord,
  type SafetensorsDtype,
} from './safetensors.js';

const toFileDtype: Record<DType, SafetensorsDtype> = {
  float32: 'F32',
  float64: 'F64',
  bfloat16: 'BF16',
  float16: 'F16',
  int64: 'I64',
  int32: 'I32',
  int16: 'I16',
  int8: 'I8',
  uint8: 'U8',
  bool: 'BOOL',
};
const fromFileDtype = Object.fromEntries(Object.entries(toFileDtype).map(([k, v]) => [v, k])) as Record<
  SafetensorsDtype,
  DType
>;

export function tensorToRecord(t: Tensor): SafetensorRecord {
  return { dtype: toFileDtype[t.dtype], shape: t.shape, data: new Uint8Array(native.toBuffer(t.handle, false)) };
}

export function recordToTensor(r: SafetensorRecord): Tensor {
  return new Tensor(native.fromBuffer(r.data, r.shape, dtypeCode[fromFileDtype[r.dtype]]));
}

/** Writes named tensors (e.g. a module's stateDict()) with string metadata; temp file + rename. */
export function saveTensors(
  path: string,
  tensors: Map<string, Tensor> | Record<string, Tensor>,
  metadata: Record<string, string> = {},
): void {
  const entries = tensors instanceof Map ? [...tensors] : Object.entries(tensors);
  writeSafetensorsFile(path, Object.fromEntries(entries.map(([k, t]) => [k, tensorToRecord(t)])), metadata);
}

/** Reads a safetensors file into named CPU tensors plus its metadata; errors name the file. */
export function loadTensors(path: string): { tensors: Map<string, Tensor>; metadata: Record<string, string> } {
  const content = readSafetensorsFile(path);
  const tensors = new Map<string, Tensor>();
  for (const [k, r] of Object.entries(content.tensors)) tensors.set(k, recordToTensor(r));
  return { tensors, metadata: content.metadata };
}
