/**
 * A finished (or interrupted) run folder, read back: its resolved config and the model rebuilt from
 * model.json with the best (else last) checkpoint's weights.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, extname, join } from 'node:path';
import { modelNames, UnknownModelError, type ModelName } from '../models/registry.js';
import type { AttentionModel } from '../models/attention-model.js';
import { createModelFromConfig } from './trainer.js';
import { loadTensors, type Tensor } from '../tensor/index.js';
import type { DatasetSpec } from '../data/datasets/index.js';
import { parseConfigJson, resolveSpecPaths, type TrainingConfig } from './config.js';
import { UserError } from '../user-error.js';
import { checkVersionCompatible } from '../version.js';
import { ConfigError } from './config-error.js';
import { resolveDataPath } from '../data/fetch/data-root.js';

export interface LoadedRun {
  dir: string;
  config: TrainingConfig;
  model: AttentionModel;
  checkpoint: string;
  /** [C, ...spatial] the model saw at evaluation during training. */
  inputShape?: number[];
  classNames?: string[];
  /** Binary decision threshold chosen on validation data during training (`training.threshold`), if any. */
  threshold?: number;
}

interface RunModelSpec {
  model: ModelName;
  /** The medattn version that trained the run (absent in runs from before it was recorded). */
  medattnVersion?: string;
  config?: Record<string, unknown>;
  inputShape?: number[];
  classNames?: string[];
}

/** Runs `work`; a user error it throws (same class) gets `file: ` in front, so its one line names the file. */
function nameFileOnError<T>(file: string, work: () => T): T {
  try {
    return work();
  } catch (e) {
    if (e instanceof UserError && !e.message.startsWith(file)) e.message = `${file}: ${e.message}`;
    throw e;
  }
}

export function loadRun(dir: string): LoadedRun {
  const configPath = join(dir, 'config.json');
  const modelPath = join(dir, 'model.json');
  if (!existsSync(configPath) || !existsSync(modelPath))
    throw new ConfigError(dir, '--run', 'not a medattn run folder (config.json or model.json missing)');
  const config = parseConfigJson(readFileSync(configPath, 'utf8'), configPath) as unknown as TrainingConfig;
  const spec = parseConfigJson(readFileSync(modelPath, 'utf8'), modelPath) as unknown as RunModelSpec;
  checkVersionCompatible(modelPath, spec.medattnVersion);
  if (!modelNames.includes(spec.model))
    throw new UnknownModelError(
      `${modelPath}: unknown model '${spec.model}'; expected one of ${modelNames.join(', ')}`,
    );
  const model = nameFileOnError(modelPath, () => createModelFromConfig(spec.model, spec.config ?? {}));
  const checkpoint = [join(dir, 'best.safetensors'), join(dir, 'last.safetensors')].find((p) => existsSync(p));
  if (!checkpoint)
    throw new ConfigError(dir, '--run', 'no checkpoint (best.safetensors or last.safetensors) in the run folder');
  const { tensors, metadata } = loadTensors(checkpoint);
  const weights = new Map<string, Tensor>([...tensors].filter(([k]) => !k.startsWith('__optimizer__.')));
  try {
    nameFileOnError(checkpoint, () => model.loadStateDict(weights));
  } finally {
    for (const t of tensors.values()) t.dispose();
  }
  model.eval();
  const threshold = metadata.threshold === undefined ? undefined : Number(metadata.threshold);
  return {
    dir,
    config,
    model,
    checkpoint,
    inputShape: spec.inputShape,
    classNames: spec.classNames,
    ...(threshold === undefined ? {} : { threshold }),
  };
}

/**
 * Turns the DATA argument of `medattn evaluate` into a dataset spec: a MedMNIST .npz (with --split), a
 * folder of class folders, or a JSON dataset description file.
 */
export function dataArgumentToSpec(
  data: string,
  split: string | undefined,
  task: string,
  channels?: number,
): DatasetSpec {
  const path = resolveDataPath(data, process.cwd()); // `{dataRoot}/...` reads under the data root (--data-root)
  if (!existsSync(path)) throw new ConfigError(data, '--data', 'no such file or folder');
  if (extname(path) === '.npz') return { kind: 'medmnist', file: path, split: (split ?? 'val') as 'val' };
  if (extname(path) === '.json') {
    // paths inside the description: `{dataRoot}/...` under the data root, else relative to the description
    const spec = resolveSpecPaths(
      parseConfigJson(readFileSync(path, 'utf8'), data) as unknown as DatasetSpec,
      dirname(path),
      data,
      'dataset',
    );
    return split && 'split' in spec ? ({ ...spec, split } as DatasetSpec) : spec;
  }
  if (statSync(path).isDirectory()) {
    if (task !== 'classification')
      throw new ConfigError(
        data,
        '--data',
        'a folder is read as class folders; for segmentation pass a dataset description .json',
      );
    return {
      kind: 'folder',
      root: path,
      ...(split ? { split } : {}),
      ...(channels === 1 || channels === 3 ? { channels } : {}),
    } as DatasetSpec;
  }
  throw new ConfigError(
    data,
    '--data',
    'expected a MedMNIST .npz, a folder of class folders, or a dataset description .json',
  );
}
