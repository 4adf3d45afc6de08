/**
 * `medattn export --run DIR`: the run's best weights as DIR/model.onnx (or --out FILE), with what a runtime
 * needs in metadata_props (keys `medattn.*`): input channels and size, the eval intensity transforms, class
 * names, the decision threshold, the padding multiple of segmenters, medattn's version and the SHA-256 of the
 * run's config.json. With `triton`, also a Triton model repository entry. Written atomically: a temp file beside the target, fsynced, then renamed.
 */
import { createHash } from 'node:crypto';
import { closeSync, fsyncSync, openSync, readFileSync, renameSync, rmSync, statSync, writeSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { loadRun } from '../train/run-folder.js';
import { exportModel, medattnVersion, type ExportedModel } from './export-model.js';
import { tritonModelName, writeTritonRepository } from './triton.js';

export interface ExportRunOptions {
  /** Target file (default DIR/model.onnx). */
  out?: string;
  opset?: number;
  /** Also write an NVIDIA Triton model repository entry here (<triton>/<run name>/...). */
  triton?: string;
}

export interface ExportRunResult {
  path: string;
  bytes: number;
  exported: ExportedModel;
  metadata: Record<string, string>;
  /** The Triton model folder, with `triton`. */
  tritonModel?: string;
}

/** Writes `bytes` to `path` through a temp file and a rename, so `path` is never half-written. */
export function writeFileAtomic(path: string, bytes: Uint8Array): void {
  const tmp = `${path}.${process.pid}.tmp`;
  try {
    const fd = openSync(tmp, 'w');
    try {
      for (let off = 0; off < bytes.length;) off += writeSync(fd, bytes, off, bytes.length - off);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, path);
  } catch (e) {
    rmSync(tmp, { force: true });
    throw e;
  }
}

export function exportRun(dir: string, options: ExportRunOptions = {}): ExportRunResult {
  const run = loadRun(dir);
  const { config, model, inputShape, classNames, threshold } = run;
  const configHash = createHash('sha256')
    .update(readFileSync(join(dir, 'config.json')))
    .digest('hex');
  const metadata: Record<string, string> = {
    'medattn.version': medattnVersion,
    'medattn.model': model.modelName,
    'medattn.task': config.task,
    'medattn.input_channels': String(inputShape?.[0] ?? (model.config as { inChannels?: number }).inChannels ?? ''),
    'medattn.input_size': JSON.stringify(inputShape?.slice(1) ?? null),
    'medattn.normalization': JSON.stringify(config.transforms.eval),
    'medattn.class_names': JSON.stringify(classNames ?? null),
    'medattn.threshold': String(threshold ?? 0.5),
    'medattn.threshold_source': threshold === undefined ? 'default' : 'training',
    'medattn.config_sha256': configHash,
    ...(config.task === 'segmentation' ? { 'medattn.pad_multiple': String(config.training.padMultiple) } : {}),
  };
  const exported = exportModel(model, { opset: options.opset, inputShape, metadata });
  model.dispose();
  const path = resolve(options.out ?? join(dir, 'model.onnx'));
  writeFileAtomic(path, exported.bytes);
  const tritonModel = options.triton
    ? writeTritonRepository(options.triton, tritonModelName(basename(resolve(dir))), exported)
    : undefined;
  return { path, bytes: statSync(path).size, exported, metadata, ...(tritonModel ? { tritonModel } : {}) };
}
