/**
 * onnxruntime-node, imported on first use. Its native library takes 0.1-0.3 s and about 15 MB to load, and the
 * CLI imports the export and runtime modules for every command, so a static import made `train`, `inspect` and
 * `--help` pay for it too.
 */
import type * as Ort from 'onnxruntime-node';

let loading: Promise<typeof Ort> | undefined;

export function onnxRuntime(): Promise<typeof Ort> {
  return (loading ??= import('onnxruntime-node'));
}
