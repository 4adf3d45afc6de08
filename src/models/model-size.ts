/**
 * A model config checked before any weight is allocated: sizes (channels, classes, depths, kernel and patch
 * sizes) are positive integers of a sane magnitude, lists are lists, and an upper bound of the parameter count
 * stays under MAX_PARAMETERS; attention blocks are named by names createAttention knows. Without this a stage of 10^12 channels reaches the allocator (out of memory or a
 * native error) and `null` where a list belongs fails deep inside a constructor.
 */
import { attentionNames, UnknownAttentionError } from '../nn/attention/create-attention.js';
import { ModelConfigError } from './model-error.js';
import { referenceCNNConfig } from './attention-cnn.js';
import { resnetDefaults } from './resnet.js';
import { unetDefaults } from './unet.js';
import { saUnetDefaults } from './sa-unet.js';
import { vitDefaults } from './vit.js';
import { centerNetDefaults } from './centernet.js';

/** No layer of these networks is wider than this (the widest in the catalog has 2,048 channels). */
export const MAX_WIDTH = 65536;

/** Ceiling on parameters: 4 GB of float32 weights, before gradients and optimizer state (3x that for Adam). */
export const MAX_PARAMETERS = 1e9;

/** Options that count something (channels, classes, blocks, pixels): positive integers up to MAX_WIDTH. */
const SIZE_OPTIONS = new Set([
  'inChannels',
  'numClasses',
  'channels',
  'headChannels',
  'dim',
  'depth',
  'numHeads',
  'imageSize',
  'patchSize',
  'convs',
  'kernelSize',
  'spatialKernel',
  'reduction',
  'spatialDims',
]);
/** Options that list channel counts. */
const WIDTH_LISTS = new Set(['features', 'widths']);

type Config = Record<string, unknown>;

function isObject(v: unknown): v is Config {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** An attention block by a name createAttention knows: the error names the model and the option. */
function checkAttention(model: string, option: string, v: unknown): void {
  if (!(attentionNames as unknown[]).includes(v))
    throw new UnknownAttentionError(
      `${model}: option '${option}': unknown attention ${typeof v === 'string' ? `'${v}'` : JSON.stringify(v)}; expected one of ${attentionNames.join(', ')}`,
    );
}

/** Kernels padded by (k - 1) / 2 to keep the size: odd only. */
const ODD_OPTIONS = new Set(['kernelSize', 'spatialKernel']);

function checkSize(model: string, option: string, v: unknown): void {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 1 || v > MAX_WIDTH)
    throw new ModelConfigError(model, option, `a positive integer up to ${MAX_WIDTH}`, v);
  if (ODD_OPTIONS.has(option.split('.').pop()!) && v % 2 === 0)
    throw new ModelConfigError(model, option, 'an odd kernel size (padded by (k - 1) / 2)', v);
}

/** Checks the shape of the options a user wrote: sizes, lists of sizes, stages as a list of objects. */
function checkOptions(model: string, config: Config): void {
  for (const [key, v] of Object.entries(config)) {
    if (SIZE_OPTIONS.has(key)) checkSize(model, key, v);
    else if (key === 'attention') checkAttention(model, key, v);
    else if (WIDTH_LISTS.has(key)) {
      if (!Array.isArray(v) || v.length === 0)
        throw new ModelConfigError(model, key, 'a non-empty list of channel counts', v);
      v.forEach((w, i) => checkSize(model, `${key}.${i}`, w));
    } else if (key === 'stages') {
      if (!Array.isArray(v) || v.length === 0) throw new ModelConfigError(model, key, 'a non-empty list of stages', v);
      v.forEach((stage, i) => {
        if (!isObject(stage)) throw new ModelConfigError(model, `stages.${i}`, 'an object with channels', stage);
        for (const [k, s] of Object.entries(stage)) {
          if (SIZE_OPTIONS.has(k)) checkSize(model, `stages.${i}.${k}`, s);
          else if (k === 'attention') checkAttention(model, `stages.${i}.${k}`, s);
        }
        if (!('channels' in stage)) throw new ModelConfigError(model, `stages.${i}.channels`, 'given', undefined);
      });
    } else if (key === 'mlpRatio' && !(typeof v === 'number' && v > 0 && v <= 64))
      throw new ModelConfigError(model, key, 'a number in (0, 64]', v);
    else if (key === 'dropout' && !(typeof v === 'number' && v >= 0 && v <= 1))
      throw new ModelConfigError(model, key, 'a probability in [0, 1]', v);
  }
}

/** An upper bound on the weights of a stage's attention block (non-local / self-attention: four c x c maps). */
const attentionBound = (c: number, kernel: number) => 4 * c * c + 8 * c + 2 * kernel * kernel;

const cnnBound = (c: Config): number => {
  let p = 0;
  let cin = c.inChannels as number;
  for (const s of c.stages as Config[]) {
    const ch = s.channels as number;
    const k = (s.kernelSize as number | undefined) ?? 3;
    const n = (s.convs as number | undefined) ?? 1;
    p +=
      k * k * ch * (cin + (n - 1) * ch) + 2 * n * ch + attentionBound(ch, (c.spatialKernel as number | undefined) ?? 7);
    cin = ch;
  }
  return p + cin * ((c.numClasses as number) + 1);
};

const resnetBound = (c: Config): number => {
  const blocks = c.depth === 34 ? [3, 4, 6, 3] : [2, 2, 2, 2];
  const widths = c.widths as number[];
  let cin = widths[0];
  let p = (c.inChannels as number) * cin * 49 + 2 * cin;
  widths.forEach((w, i) => {
    for (let b = 0; b < (blocks[i] ?? 2); b++) {
      p += 9 * w * (cin + w) + cin * w + 6 * w + attentionBound(w, 7);
      cin = w;
    }
  });
  return p + cin * ((c.numClasses as number) + 1);
};

const unetBound = (c: Config): number => {
  const k = c.spatialDims === 3 ? 27 : 9;
  const f = c.features as number[];
  let p = 0;
  let cin = c.inChannels as number;
  for (const w of f) {
    p += k * w * (cin + w) + 6 * w;
    cin = w;
  }
  for (let i = f.length - 1; i > 0; i--) {
    const [coarse, fine] = [f[i], f[i - 1]];
    p += 8 * coarse * fine + fine + k * fine * 3 * fine + 6 * fine + 2 * fine * (coarse + fine) + 4 * fine;
  }
  return p + f[0] * ((c.numClasses as number) + 1) * f.length; // the head, and deep-supervision heads at most
};

const vitBound = (c: Config): number => {
  const dim = c.dim as number;
  const grid = Math.ceil((c.imageSize as number) / (c.patchSize as number));
  const block =
    4 * dim * dim + 2 * dim * Math.round(dim * (c.mlpRatio as number)) + 12 * dim + 4 * dim * (c.mlpRatio as number);
  return (
    (c.inChannels as number) * (c.patchSize as number) ** 2 * dim +
    (grid * grid + 2) * dim +
    (c.depth as number) * block +
    dim * ((c.numClasses as number) + 3)
  );
};

const centerNetBound = (c: Config): number => {
  const h = c.headChannels as number;
  let p = 0;
  let cin = c.inChannels as number;
  for (const s of c.stages as Config[]) {
    const ch = s.channels as number;
    p += 9 * ch * (cin + ch) + 4 * ch + attentionBound(ch, 7) + ch * h + h;
    cin = ch;
  }
  return p + 9 * h * h * 4 + 4 * h + 3 * (9 * h * h + h * ((c.numClasses as number) + 4));
};

const families: Record<string, { defaults: object; bound: (c: Config) => number }> = {
  attention_cnn: { defaults: referenceCNNConfig, bound: cnnBound },
  resnet18: { defaults: { ...resnetDefaults, depth: 18 }, bound: resnetBound },
  resnet34: { defaults: { ...resnetDefaults, depth: 34 }, bound: resnetBound },
  se_resnet18: { defaults: { ...resnetDefaults, depth: 18 }, bound: resnetBound },
  se_resnet34: { defaults: { ...resnetDefaults, depth: 34 }, bound: resnetBound },
  unet: { defaults: unetDefaults, bound: unetBound },
  attention_unet: { defaults: unetDefaults, bound: unetBound },
  sa_unet: { defaults: saUnetDefaults, bound: (c) => unetBound(c) + attentionBound(0, c.spatialKernel as number) },
  centernet: { defaults: centerNetDefaults, bound: centerNetBound },
  vit: { defaults: vitDefaults, bound: vitBound },
};

/**
 * The networks with a parameter bound. The table, ICU, fusion and text models have none yet: their sizes are
 * still checked as options (positive integers up to MAX_WIDTH), but not their total before allocating.
 */
export const boundedModels: readonly string[] = Object.keys(families);

/** An upper bound on the parameters `createModel(name, config)` would allocate (config checked first). */
export function parameterBound(name: string, config: unknown): number {
  if (!isObject(config)) throw new ModelConfigError(name, 'config', 'an object of options', config);
  checkOptions(name, config);
  const family = families[name];
  if (!family) return 0;
  const merged = { ...family.defaults, ...config };
  checkOptions(name, merged);
  return family.bound(merged);
}

/** Throws a one-line ModelConfigError for a config that is malformed or would exceed MAX_PARAMETERS. */
export function checkModelConfig(name: string, config: unknown): void {
  const bound = parameterBound(name, config);
  if (bound > MAX_PARAMETERS)
    throw new ModelConfigError(
      name,
      'sizes',
      `at most ${MAX_PARAMETERS.toExponential().replace('+', '')} parameters in all (checked before allocating)`,
      Number(bound.toPrecision(3)),
    );
}
