/**
 * The training configuration: what to learn from (datasets, transforms), what to train (model by name and
 * config), and how (loss, optimizer, schedule, epochs, early stopping, seed). Validated with zod so that an
 * unknown key, a wrong type or a missing path is one line naming the option.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import * as z from 'zod';
import { modelNames, type ModelName } from '../models/registry.js';
import { textModelNames } from '../models/text/text-models.js';
import { ConfigError } from './config-error.js';
import { LOSS_NAMES } from './losses.js';
import { datasetSpecProblem, type DatasetSpec } from '../data/datasets/index.js';
import { transformSpecProblem, type TransformSpec } from '../data/transforms/index.js';
import { dataRootHint, isDataRootPath, resolveDataPath } from '../data/fetch/data-root.js';

/**
 * A dataset spec checked by the datasets' own schema (datasetSpecSchema) and kept as written: defaults are
 * filled where the dataset is created, so the run folder's config.json holds what the user wrote. A problem is
 * reported at its path, e.g. `data.train.spilt: unknown option`.
 */
const datasetSpec = z.custom<DatasetSpec>().superRefine((spec, ctx) => {
  const problem = datasetSpecProblem(spec);
  if (problem) ctx.addIssue({ code: 'custom', path: problem.path, message: problem.reason });
});

/** A transform spec checked by the transforms' schema (transformSpecSchema): `transforms.train.2.probabilty: unknown option`. */
const transformSpec = z.custom<TransformSpec>().superRefine((spec, ctx) => {
  const problem = transformSpecProblem(spec);
  if (problem) ctx.addIssue({ code: 'custom', path: problem.path, message: problem.reason });
});

/**
 * `data` may be one dataset spec (`{ "kind": "table", "file": ..., "label": ... }`): training then uses a
 * stratified 80/20 hold-out of it (kind `split`) and `cv` folds the whole of it.
 */
function trainValFromOneSet(data: unknown): unknown {
  if (typeof data !== 'object' || data === null || !('kind' in data)) return data;
  return { train: { kind: 'split', of: data, part: 'train' }, val: { kind: 'split', of: data, part: 'val' } };
}

export const trainingConfigSchema = z.strictObject({
  /** Free text shown in reports. */
  name: z.string().default('run'),
  task: z.enum(['classification', 'segmentation', 'detection', 'text']),
  data: z.preprocess(
    trainValFromOneSet,
    z.strictObject({
      train: datasetSpec,
      val: datasetSpec,
      /** Region-of-interest key in samples (e.g. DRIVE's field-of-view), used by losses and metrics. */
      roiKey: z.string().optional(),
    }),
  ),
  transforms: z
    .strictObject({
      train: z.array(transformSpec).default([]),
      eval: z.array(transformSpec).default([]),
    })
    .default({ train: [], eval: [] }),
  model: z.strictObject({
    name: z.enum([...modelNames, ...textModelNames] as [ModelName, ...ModelName[]]),
    config: z.record(z.string(), z.unknown()).default({}),
  }),
  loss: z
    .strictObject({
      name: z.enum(LOSS_NAMES).default('cross_entropy'),
      /** Class weights: 'none', 'inverse' (sklearn's balanced), 'effective' (Cui 2019) or explicit numbers. */
      classWeights: z.union([z.enum(['none', 'inverse', 'effective']), z.array(z.number().positive())]).default('none'),
      focalGamma: z.number().min(0).default(2),
      labelSmoothing: z.number().min(0).max(1).default(0),
      /** cldice, cldice_bce: (1 - alpha) soft Dice + alpha clDice. */
      cldiceAlpha: z.number().min(0).max(1).default(0.5),
      /** cldice, cldice_bce: soft-skeleton erosions (about the radius of the thickest structure, in pixels). */
      skeletonIterations: z.number().int().min(0).max(50).default(3),
    })
    .default({
      name: 'cross_entropy',
      classWeights: 'none',
      focalGamma: 2,
      labelSmoothing: 0,
      cldiceAlpha: 0.5,
      skeletonIterations: 3,
    }),
  optimizer: z
    .strictObject({
      name: z.enum(['adam', 'adamw', 'sgd']).default('adamw'),
      lr: z.number().positive().default(1e-3),
      weightDecay: z.number().min(0).default(1e-4),
      momentum: z.number().min(0).max(1).default(0.9),
      nesterov: z.boolean().default(false),
    })
    .default({ name: 'adamw', lr: 1e-3, weightDecay: 1e-4, momentum: 0.9, nesterov: false }),
  schedule: z
    .strictObject({
      name: z.enum(['none', 'cosine', 'step', 'multistep', 'poly', 'plateau']).default('cosine'),
      warmupEpochs: z.number().int().min(0).default(0),
      stepSize: z.number().int().positive().default(10),
      milestones: z.array(z.number().int().positive()).default([]),
      gamma: z.number().positive().default(0.1),
      power: z.number().positive().default(0.9),
      patience: z.number().int().min(0).default(3),
      minLr: z.number().min(0).default(0),
    })
    .default({
      name: 'cosine',
      warmupEpochs: 0,
      stepSize: 10,
      milestones: [],
      gamma: 0.1,
      power: 0.9,
      patience: 3,
      minLr: 0,
    }),
  training: z
    .strictObject({
      epochs: z.number().int().positive().default(10),
      batchSize: z.number().int().positive().default(32),
      evalBatchSize: z.number().int().positive().optional(),
      /** Stop after this many minutes (checked after each epoch). */
      maxMinutes: z.number().positive().optional(),
      /**
       * With maxMinutes: time the first epoch and, when the planned epochs would overrun the budget, train only
       * the epochs that fit, with the schedule shortened to them (the learning rate still anneals to its end).
       */
      fitToMaxMinutes: z.boolean().default(false),
      /** Stop when a whole epoch of this many batches has passed (for quick runs). */
      batchesPerEpoch: z.number().int().positive().optional(),
      gradClip: z.number().positive().optional(),
      seed: z.number().int().default(0),
      /** Data-parallel runs (--nproc): BatchNorm statistics over every rank's batch instead of each rank's own. */
      syncBatchNorm: z.boolean().default(false),
      /** Loader worker threads; more than 64 only adds start-up time and memory. */
      workers: z.number().int().min(0).max(64).default(1),
      /** libtorch intra-op threads (100,000 OpenMP threads hang the process). */
      threads: z.number().int().positive().max(1024).optional(),
      /** Validation metric that selects the best checkpoint and drives early stopping. */
      monitor: z.string().optional(),
      earlyStopping: z.number().int().positive().optional(),
      /** Decision threshold chosen on validation data ('youden' or 'f1') instead of 0.5, binary tasks only. */
      threshold: z.enum(['fixed', 'youden', 'f1']).default('fixed'),
      device: z.string().default('cpu'),
      /**
       * Segmentation evaluation by overlapping windows of `roi` voxels blended with Gaussian weights (MONAI's
       * sliding_window_inference), for volumes too large to predict whole; otherwise images are padded whole.
       */
      slidingWindow: z
        .strictObject({
          roi: z.array(z.number().int().positive()).min(2).max(3),
          overlap: z.number().min(0).lt(1).default(0.25),
          batchSize: z.number().int().positive().default(1),
        })
        .optional(),
      /** Segmentation evaluation: average the logits over the mirror images along every spatial axis. */
      testTimeFlips: z.boolean().optional(),
      /** Segmentation evaluation: pad full images to a multiple of this (U-Net depth). */
      padMultiple: z.number().int().positive().default(16),
      /** Conv weights and training batches in channels-last (NHWC) memory, which oneDNN convolutions prefer on CPUs. */
      channelsLast: z.boolean().default(false),
      /**
       * Stochastic weight averaging (weight-averaging.ts): the run's model is the mean of the weights at the end
       * of its last `epochs` epochs, with BatchNorm statistics recomputed over one pass of the training data;
       * it is evaluated as one more record and saved as the best checkpoint, whatever the monitor says. With
       * `lr`, those epochs train at that constant rate instead of the schedule's (SWALR).
       */
      swa: z.strictObject({ epochs: z.number().int().positive(), lr: z.number().positive().optional() }).optional(),
      /** DP-SGD: per-example clipping to clipNorm + Gaussian noise (src/train/dp-sgd.ts); epsilon at delta per epoch. */
      dp: z
        .strictObject({
          noiseMultiplier: z.number().min(0),
          clipNorm: z.number().positive(),
          delta: z.number().gt(0).lt(1).default(1e-5),
        })
        .optional(),
    })
    .default({
      epochs: 10,
      batchSize: 32,
      fitToMaxMinutes: false,
      seed: 0,
      syncBatchNorm: false,
      workers: 1,
      threshold: 'fixed',
      device: 'cpu',
      padMultiple: 16,
      channelsLast: false,
    }),
  report: z.strictObject({ samples: z.number().int().min(0).default(8) }).default({ samples: 8 }),
  /** Tokenizer options of task 'text' (see src/train/tasks/text.ts). */
  text: z
    .strictObject({
      vocabSize: z.number().int().min(64).max(1_000_000).default(8000),
      lowercase: z.boolean().default(true),
      /** Longer notes keep their first and last maxTokens/2 tokens. */
      maxTokens: z.number().int().min(8).max(100_000).default(512),
    })
    .default({ vocabSize: 8000, lowercase: true, maxTokens: 512 }),
});

export type TrainingConfig = z.output<typeof trainingConfigSchema>;
export type TrainingConfigInput = z.input<typeof trainingConfigSchema>;

/** Path segments that would reach an object's prototype instead of a config option. */
const FORBIDDEN_SEGMENTS = new Set(['__proto__', 'constructor', 'prototype']);

/** Configs nest a few levels; anything deeper is not a config (and would overflow the stack of a recursive walk). */
export const MAX_CONFIG_DEPTH = 64;

/** How deep a parsed JSON value nests (0 for a scalar), walked without recursion; stops counting past `limit`. */
function jsonDepth(value: unknown, limit: number): number {
  let deepest = 0;
  const stack: { v: unknown; d: number }[] = [{ v: value, d: 0 }];
  while (stack.length) {
    const { v, d } = stack.pop()!;
    if (typeof v !== 'object' || v === null) continue;
    deepest = Math.max(deepest, d + 1);
    if (deepest > limit) return deepest;
    for (const child of Object.values(v)) stack.push({ v: child, d: d + 1 });
  }
  return deepest;
}

/** Throws a one-line ConfigError when a parsed JSON value nests deeper than MAX_CONFIG_DEPTH. */
function checkDepth(value: unknown, file: string, option: string): void {
  if (jsonDepth(value, MAX_CONFIG_DEPTH) > MAX_CONFIG_DEPTH)
    throw new ConfigError(file, option, `JSON nested deeper than ${MAX_CONFIG_DEPTH} levels`);
}

/** A whole config must be a JSON object of sane depth (not null, an array or a number). */
function checkConfigObject(raw: unknown, file: string): asserts raw is Record<string, unknown> {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw))
    throw new ConfigError(
      file,
      '',
      `must be a JSON object, got ${raw === null ? 'null' : Array.isArray(raw) ? 'an array' : typeof raw}`,
    );
  checkDepth(raw, file, '');
}

/**
 * Parses `key=value` overrides (`training.epochs=3`, `model.config.stages=[...]`); values are JSON or strings.
 * A key segment `__proto__`, `constructor` or `prototype` is refused: it would write onto a prototype.
 */
export function applyOverrides(
  raw: Record<string, unknown>,
  overrides: string[],
  file: string,
  /** How the overrides were given, for errors: `--set`, or `--grid` for search keys. */
  option = '--set',
): Record<string, unknown> {
  checkConfigObject(raw, file);
  const out = structuredClone(raw);
  for (const o of overrides) {
    const eq = o.indexOf('=');
    if (eq <= 0) throw new ConfigError(file, option, `expected key=value, got '${o}'`);
    const key = o.slice(0, eq);
    const path = key.split('.');
    const bad = path.find((k) => k === '' || FORBIDDEN_SEGMENTS.has(k));
    if (bad !== undefined)
      throw new ConfigError(
        file,
        option,
        `'${key}': ${bad === '' ? 'empty path segment' : `'${bad}' is not a config option`}`,
      );
    const text = o.slice(eq + 1);
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch {
      value = text;
    }
    checkDepth(value, file, `${option} ${key}`);
    let node = out as Record<string, unknown>;
    for (const k of path.slice(0, -1)) {
      if (!Object.hasOwn(node, k) || typeof node[k] !== 'object' || node[k] === null) node[k] = {};
      node = node[k] as Record<string, unknown>;
    }
    node[path[path.length - 1]] = value;
  }
  return out;
}

/** Parses the JSON text of a config file: one line naming the file for bad JSON, a non-object or deep nesting. */
export function parseConfigJson(text: string, file: string): Record<string, unknown> {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    throw new ConfigError(file, '', `not valid JSON (${(e as Error).message.split('\n')[0]})`);
  }
  checkConfigObject(raw, file);
  return raw;
}

/** Validates a parsed config; relative dataset paths are resolved against `baseDir`. */
export function parseConfig(raw: unknown, file = '<config>'): TrainingConfig {
  const result = trainingConfigSchema.safeParse(raw);
  if (!result.success) {
    const issue = result.error.issues[0];
    const option = issue.path.join('.');
    const message =
      issue.code === 'unrecognized_keys'
        ? `unknown key${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((k) => `'${k}'`).join(', ')}`
        : issue.message;
    throw new ConfigError(file, option, message);
  }
  return result.data;
}

const PATH_KEYS = ['file', 'root', 'images', 'masks', 'roi', 'path', 'csv', 'image', 'label', 'records', 'outcomes'];

/**
 * Makes every path-like field of a dataset spec absolute (`{dataRoot}/...` under the data root, else relative to
 * `baseDir`) and checks that it exists; `file` and `where` name the spec in errors.
 */
export function resolveSpecPaths(spec: DatasetSpec, baseDir: string, file: string, where: string): DatasetSpec {
  const out: Record<string, unknown> = { ...spec };
  // A user dataset module's path is relative to the config too (a file: URL is taken as it is).
  const keys =
    spec.kind === 'module'
      ? spec.module.startsWith('file:')
        ? []
        : ['module']
      : spec.kind === 'table' // its `label` is a column name
        ? ['file']
        : PATH_KEYS;
  for (const key of keys) {
    const v = out[key];
    if (typeof v !== 'string') continue;
    const abs = resolveDataPath(v, baseDir); // `{dataRoot}/...` under the data root, else relative to the config
    if (!existsSync(abs))
      throw new ConfigError(
        file,
        `${where}.${key}`,
        `path does not exist: ${abs}${isDataRootPath(v) ? dataRootHint(v) : ''}`,
      );
    out[key] = abs;
  }
  if (spec.kind === 'subset' || spec.kind === 'split') out.of = resolveSpecPaths(spec.of, baseDir, file, `${where}.of`);
  // Only path strings changed (to absolute paths), so the spec keeps its kind's type.
  return out as DatasetSpec;
}

/** Makes every path-like field of the config's dataset specs absolute and checks that it exists. */
export function resolveDataPaths(config: TrainingConfig, baseDir: string, file: string): TrainingConfig {
  return {
    ...config,
    data: {
      ...config.data,
      train: resolveSpecPaths(config.data.train, baseDir, file, 'data.train'),
      val: resolveSpecPaths(config.data.val, baseDir, file, 'data.val'),
    },
  };
}

/** Reads, overrides, validates and resolves a JSON config file. */
export function loadConfig(path: string, overrides: string[] = []): TrainingConfig {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new ConfigError(path, '', `cannot read (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
  const raw = parseConfigJson(text, path);
  const withOverrides = applyOverrides(raw, overrides, path);
  return resolveDataPaths(parseConfig(withOverrides, path), dirname(resolve(path)), path);
}
