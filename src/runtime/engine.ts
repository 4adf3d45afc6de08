/** Which engine runs a run folder's model: ONNX Runtime on model.onnx / model.int8.onnx, or libtorch. */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigError } from '../train/config-error.js';

export const engineNames = ['onnx', 'onnx-int8', 'torch'] as const;
export type EngineName = (typeof engineNames)[number];

/** The ONNX file an engine reads in a run folder. */
export function onnxFileOf(runDir: string, engine: Exclude<EngineName, 'torch'>): string {
  return join(runDir, engine === 'onnx-int8' ? 'model.int8.onnx' : 'model.onnx');
}

/** --engine as given, else onnx when the run has model.onnx, else torch. */
export function resolveEngine(runDir: string, engine?: string): EngineName {
  if (engine === undefined) return existsSync(join(runDir, 'model.onnx')) ? 'onnx' : 'torch';
  if (!(engineNames as readonly string[]).includes(engine))
    throw new ConfigError('command line', '--engine', `expected one of ${engineNames.join(', ')}, got '${engine}'`);
  return engine as EngineName;
}
