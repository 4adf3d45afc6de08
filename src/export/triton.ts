/**
 * An NVIDIA Triton Inference Server model repository for an exported model: `<dir>/<name>/1/model.onnx` and
 * `<dir>/<name>/config.pbtxt` (ONNX Runtime backend, inputs/outputs with their dtypes and dims without the
 * batch axis, -1 for dynamic axes, dynamic batching with preferred batch sizes). KServe's Triton runtime
 * serves the same folder unchanged.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { ExportError } from './export-error.js';
import type { ExportedModel, TensorSpec } from './export-model.js';
import { writeFileAtomic } from '../train/run-folder-files.js';

export interface TritonOptions {
  /** Largest batch Triton may form (default 32). */
  maxBatchSize?: number;
  preferredBatchSizes?: number[];
  maxQueueDelayMicroseconds?: number;
  /** CPU model instances (default 1). */
  instances?: number;
}

function tensorBlock(t: TensorSpec): string {
  const dims = t.dims.slice(1).map((d) => (typeof d === 'number' ? String(d) : '-1'));
  const type = t.dtype === 'int64' ? 'TYPE_INT64' : 'TYPE_FP32';
  return `  {\n    name: ${JSON.stringify(t.name)}\n    data_type: ${type}\n    dims: [ ${dims.join(', ')} ]\n  }`;
}

/** config.pbtxt for `name` (protobuf text format of Triton's ModelConfig). */
export function tritonConfig(name: string, exported: ExportedModel, options: TritonOptions = {}): string {
  const maxBatch = options.maxBatchSize ?? 32;
  const preferred = options.preferredBatchSizes ?? [4, 8, 16, 32].filter((b) => b <= maxBatch);
  return [
    `name: ${JSON.stringify(name)}`,
    'backend: "onnxruntime"',
    `max_batch_size: ${maxBatch}`,
    `input [\n${tensorBlock(exported.input)}\n]`,
    `output [\n${exported.outputs.map(tensorBlock).join(',\n')}\n]`,
    `dynamic_batching {\n  preferred_batch_size: [ ${preferred.join(', ')} ]\n  max_queue_delay_microseconds: ${options.maxQueueDelayMicroseconds ?? 100}\n}`,
    `instance_group [\n  {\n    kind: KIND_CPU\n    count: ${options.instances ?? 1}\n  }\n]`,
    '',
  ].join('\n');
}

/** A Triton model name from a run folder name: letters, digits, '_' and '-'. */
export function tritonModelName(runName: string): string {
  const name = runName.replace(/[^A-Za-z0-9_-]+/g, '_').replace(/^_+|_+$/g, '');
  if (!name) throw new ExportError(`--triton: cannot make a model name from '${runName}'`);
  return name;
}

/** Writes the repository entry; returns the model folder. */
export function writeTritonRepository(
  repository: string,
  name: string,
  exported: ExportedModel,
  options: TritonOptions = {},
): string {
  const modelDir = join(repository, name);
  mkdirSync(join(modelDir, '1'), { recursive: true });
  writeFileAtomic(join(modelDir, '1', 'model.onnx'), exported.bytes);
  writeFileAtomic(join(modelDir, 'config.pbtxt'), new TextEncoder().encode(tritonConfig(name, exported, options)));
  return modelDir;
}
