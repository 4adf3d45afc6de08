/**
 * Transform pipelines as plain data (JSON): what a config file holds and what the loader sends to its worker
 * threads, which rebuild the same pipeline with `createTransform`. A spec is `{ type, ...options }` with the
 * options of the class of that name; any spec may add `p` to be applied with probability p (RandomApply).
 *
 *   [{ type: 'toFloat', scale: 1/255 }, { type: 'resize', size: [64, 64] },
 *    { type: 'randAffine', rotate: 15, p: 0.8 }, { type: 'randFlip', axes: [1] }]
 */
import * as z from 'zod';
import { Affine, RandAffine, type AffineOptions, type RandAffineOptions } from './affine.js';
import { RandBrightness, type RandBrightnessOptions } from './brightness.js';
import { BoxResize, type BoxResizeOptions } from './box-resize.js';
import { RandBoxAffine, type RandBoxAffineOptions } from './box-affine.js';
import { RandBoxCrop, type RandBoxCropOptions } from './box-crop.js';
import { RandBoxFlip, type RandBoxFlipOptions } from './box-flip.js';
import { CenterNetTargets, type CenterNetTargetOptions } from './centernet-targets.js';
import { RandColorJitter, type RandColorJitterOptions } from './color-jitter.js';
import { Compose } from './compose.js';
import { RandContrast, type RandContrastOptions } from './contrast.js';
import { CenterCropOrPad, PadTo, type CropOrPadOptions } from './crop-or-pad.js';
import { RandElastic, type RandElasticOptions } from './elastic.js';
import { Flip, RandFlip, type FlipOptions, type RandFlipOptions } from './flip.js';
import { RandGamma, type RandGammaOptions } from './gamma.js';
import { Clahe, type ClaheOptions } from './clahe.js';
import { SelectChannels, type SelectChannelsOptions } from './select-channels.js';
import {
  GaussianBlur,
  RandGaussianBlur,
  type GaussianBlurOptions,
  type RandGaussianBlurOptions,
} from './gaussian-blur.js';
import { RandGaussianNoise, type RandGaussianNoiseOptions } from './gaussian-noise.js';
import { NormalizeIntensity, type NormalizeOptions } from './normalize.js';
import { OneOf } from './one-of.js';
import { RandCrop, type RandCropOptions } from './rand-crop.js';
import { RandomApply } from './random-apply.js';
import { Resize, type ResizeOptions } from './resize.js';
import { RandRot90, Rot90, type RandRot90Options, type Rot90Options } from './rot90.js';
import { ScaleIntensityPercentiles, type ScaleIntensityPercentilesOptions } from './scale-intensity-percentiles.js';
import { ScaleIntensityRange, type ScaleIntensityRangeOptions } from './scale-intensity-range.js';
import { ToFloat, type ToFloatOptions } from './to-float.js';
import { TransformError, type Transform } from './transform.js';
import { Window, type WindowOptions } from './window.js';
import { CtWindow, type CtWindowOptions } from './ct-window.js';

const registry = {
  toFloat: (o: ToFloatOptions) => new ToFloat(o),
  resize: (o: ResizeOptions) => new Resize(o),
  centerCropOrPad: (o: CropOrPadOptions) => new CenterCropOrPad(o),
  padTo: (o: CropOrPadOptions) => new PadTo(o),
  randCrop: (o: RandCropOptions) => new RandCrop(o),
  normalizeIntensity: (o: NormalizeOptions) => new NormalizeIntensity(o),
  scaleIntensityRange: (o: ScaleIntensityRangeOptions) => new ScaleIntensityRange(o),
  scaleIntensityPercentiles: (o: ScaleIntensityPercentilesOptions) => new ScaleIntensityPercentiles(o),
  window: (o: WindowOptions) => new Window(o),
  ctWindow: (o: CtWindowOptions) => new CtWindow(o),
  affine: (o: AffineOptions) => new Affine(o),
  randAffine: (o: RandAffineOptions) => new RandAffine(o),
  flip: (o: FlipOptions) => new Flip(o),
  randFlip: (o: RandFlipOptions) => new RandFlip(o),
  rot90: (o: Rot90Options) => new Rot90(o),
  randRot90: (o: RandRot90Options) => new RandRot90(o),
  randElastic: (o: RandElasticOptions) => new RandElastic(o),
  randBrightness: (o: RandBrightnessOptions) => new RandBrightness(o),
  randContrast: (o: RandContrastOptions) => new RandContrast(o),
  randGamma: (o: RandGammaOptions) => new RandGamma(o),
  clahe: (o: ClaheOptions) => new Clahe(o),
  selectChannels: (o: SelectChannelsOptions) => new SelectChannels(o),
  randGaussianNoise: (o: RandGaussianNoiseOptions) => new RandGaussianNoise(o),
  gaussianBlur: (o: GaussianBlurOptions) => new GaussianBlur(o),
  randGaussianBlur: (o: RandGaussianBlurOptions) => new RandGaussianBlur(o),
  // Detection: transforms that move `boxes` with the image, and CenterNet's targets from them.
  boxResize: (o: BoxResizeOptions) => new BoxResize(o),
  randBoxFlip: (o: RandBoxFlipOptions) => new RandBoxFlip(o),
  randBoxAffine: (o: RandBoxAffineOptions) => new RandBoxAffine(o),
  randBoxCrop: (o: RandBoxCropOptions) => new RandBoxCrop(o),
  randColorJitter: (o: RandColorJitterOptions) => new RandColorJitter(o),
  centerNetTargets: (o: CenterNetTargetOptions) => new CenterNetTargets(o),
} satisfies Record<string, (o: never) => Transform>;

type Registry = typeof registry;

/** One transform as data. */
export type TransformSpec =
  | { [K in keyof Registry]: { type: K; p?: number } & Parameters<Registry[K]>[0] }[keyof Registry]
  | { type: 'compose'; transforms: TransformSpec[]; p?: number }
  | { type: 'oneOf'; transforms: TransformSpec[]; weights?: number[]; p?: number };

// The options of each type as a strict zod schema, so a typo in an option is caught where the spec is read (a
// config file at load), naming the option. Value ranges are checked by the transform classes themselves.
const numbers = z.array(z.number());
const strings = z.array(z.string());
const range = z.union([z.number(), z.tuple([z.number(), z.number()])]);
const ranges = z.union([range, z.array(range)]);
const pair = z.tuple([z.number(), z.number()]);
const padding = z.enum(['zeros', 'border']);
/** `p`: apply with this probability (RandomApply). */
const common = { p: z.number().min(0).max(1).optional() };
const keyed = { ...common, keys: strings.optional() };
const keyedMasks = { ...keyed, masks: strings.optional() };
const spec = <T extends string, S extends z.ZodRawShape>(type: T, shape: S) =>
  z.strictObject({ type: z.literal(type), ...shape });

const optionSchemas = [
  spec('toFloat', { ...keyedMasks, scale: z.number().optional(), binarize: z.boolean().optional() }),
  spec('resize', { ...keyedMasks, size: numbers, alignCorners: z.boolean().optional() }),
  spec('centerCropOrPad', { ...keyedMasks, size: numbers }),
  spec('padTo', { ...keyedMasks, size: numbers }),
  spec('randCrop', {
    ...keyedMasks,
    size: numbers,
    foreground: z.strictObject({ key: z.string(), p: z.number() }).optional(),
  }),
  spec('normalizeIntensity', {
    ...keyed,
    mean: z.union([z.number(), numbers]).optional(),
    std: z.union([z.number(), numbers]).optional(),
    channelWise: z.boolean().optional(),
    nonzero: z.boolean().optional(),
  }),
  spec('scaleIntensityRange', {
    ...keyed,
    aMin: z.number(),
    aMax: z.number(),
    bMin: z.number().optional(),
    bMax: z.number().optional(),
    clip: z.boolean().optional(),
  }),
  spec('scaleIntensityPercentiles', {
    ...keyed,
    lower: z.number(),
    upper: z.number(),
    bMin: z.number().optional(),
    bMax: z.number().optional(),
    clip: z.boolean().optional(),
    channelWise: z.boolean().optional(),
  }),
  spec('window', {
    ...keyed,
    center: z.number(),
    width: z.number(),
    outMin: z.number().optional(),
    outMax: z.number().optional(),
  }),
  spec('ctWindow', {
    ...keyed,
    preset: z.enum(['lung', 'mediastinum', 'softTissue', 'bone', 'brain']),
    outMin: z.number().optional(),
    outMax: z.number().optional(),
  }),
  spec('affine', {
    ...keyedMasks,
    rotate: z.union([z.number(), numbers]).optional(),
    scale: z.union([z.number(), numbers]).optional(),
    shear: numbers.optional(),
    translate: numbers.optional(),
    padding: padding.optional(),
  }),
  spec('randAffine', {
    ...keyedMasks,
    rotate: ranges.optional(),
    scale: ranges.optional(),
    isotropic: z.boolean().optional(),
    shear: ranges.optional(),
    translate: ranges.optional(),
    padding: padding.optional(),
  }),
  spec('flip', { ...keyedMasks, axes: numbers }),
  spec('randFlip', { ...keyedMasks, axes: numbers.optional() }),
  spec('rot90', { ...keyedMasks, k: z.number().int(), axes: pair.optional() }),
  spec('randRot90', { ...keyedMasks, maxK: z.number().int().optional(), axes: pair.optional() }),
  spec('randElastic', {
    ...keyedMasks,
    alpha: z.union([z.number(), pair]),
    sigma: z.union([z.number(), pair]),
    padding: padding.optional(),
  }),
  spec('randBrightness', { ...keyed, offset: pair }),
  spec('randContrast', { ...keyed, factor: pair }),
  spec('randGamma', { ...keyed, gamma: pair }),
  spec('clahe', {
    ...keyed,
    tiles: pair.optional(),
    clipLimit: z.number().optional(),
    bins: z.number().optional(),
    range: pair.optional(),
  }),
  spec('selectChannels', { ...keyed, channels: numbers }),
  spec('randGaussianNoise', { ...keyed, std: z.union([z.number(), pair]), mean: z.number().optional() }),
  spec('gaussianBlur', { ...keyed, sigma: z.union([z.number(), numbers]) }),
  spec('randGaussianBlur', { ...keyed, sigma: pair }),
  spec('boxResize', { ...keyed, size: numbers }),
  spec('randBoxFlip', { ...keyed, horizontal: z.number().optional(), vertical: z.number().optional() }),
  spec('randBoxAffine', {
    ...keyed,
    rotate: range.optional(),
    scale: range.optional(),
    translate: range.optional(),
    minVisible: z.number().optional(),
    padding: padding.optional(),
  }),
  spec('randBoxCrop', { ...keyed, size: numbers, minVisible: z.number().optional() }),
  spec('randColorJitter', {
    ...keyed,
    brightness: z.number().optional(),
    contrast: z.number().optional(),
    saturation: z.number().optional(),
  }),
  spec('centerNetTargets', {
    ...common,
    numClasses: z.number(),
    stride: z.number().optional(),
    maxBoxes: z.number().optional(),
  }),
  z.strictObject({
    type: z.literal('compose'),
    ...common,
    get transforms(): z.ZodArray<z.ZodType<TransformSpec>> {
      return z.array(transformSpecSchema);
    },
  }),
  z.strictObject({
    type: z.literal('oneOf'),
    ...common,
    get transforms(): z.ZodArray<z.ZodType<TransformSpec>> {
      return z.array(transformSpecSchema);
    },
    weights: numbers.optional(),
  }),
] as const;

/** The schema of one transform spec (compose and oneOf nest). */
export const transformSpecSchema: z.ZodType<TransformSpec> = z.discriminatedUnion('type', optionSchemas);

/** Names accepted in `type`. */
export const transformTypes: readonly string[] = optionSchemas.map((s) => s.shape.type.value);

// Every registry entry has a schema and every schema (but compose and oneOf) a registry entry.
for (const type of transformTypes) {
  if (type !== 'compose' && type !== 'oneOf' && !Object.hasOwn(registry, type)) throw new Error(`no transform ${type}`);
}

/**
 * The first problem of a transform spec (or list of specs) as (option path, one-line reason), or undefined when
 * it is valid: `[2, 'probabilty']: unknown option`, `[0, 'type']: unknown transform type "x"; expected ...`.
 */
export function transformSpecProblem(spec: unknown): { path: PropertyKey[]; reason: string } | undefined {
  const result = (Array.isArray(spec) ? z.array(transformSpecSchema) : transformSpecSchema).safeParse(spec);
  if (result.success) return undefined;
  // A misspelt option is also a missing one: name the misspelling, it is what the user has to fix.
  const issues = result.error.issues;
  const issue = issues.find((i) => i.code === 'unrecognized_keys') ?? issues[0];
  if (issue.code === 'invalid_union' && issue.path[issue.path.length - 1] === 'type') {
    const owner = issue.path.slice(0, -1).reduce<unknown>((o, k) => (o as Record<PropertyKey, unknown>)[k], spec);
    const type = JSON.stringify((owner as { type?: unknown }).type) ?? 'nothing';
    return {
      path: issue.path,
      reason: `unknown transform type ${type}; expected one of: ${transformTypes.join(', ')}`,
    };
  }
  if (issue.code === 'invalid_type' && issue.expected === 'object') {
    return {
      path: issue.path,
      reason: `a transform spec must be an object with a "type", got ${JSON.stringify(spec)}`,
    };
  }
  // An unknown option is named in the path, so the message points at the typo itself.
  if (issue.code === 'unrecognized_keys') return { path: [...issue.path, issue.keys[0]], reason: 'unknown option' };
  return { path: issue.path, reason: issue.message };
}

/** Builds a transform from its spec (a list of specs becomes a Compose); a spec that fails its schema throws. */
export function createTransform(spec: TransformSpec | TransformSpec[]): Transform {
  const problem = transformSpecProblem(spec);
  if (problem) {
    const option = problem.path.map(String).join('.');
    throw new TransformError(`transform spec: ${option ? `${option}: ` : ''}${problem.reason}`);
  }
  return build(spec);
}

function build(spec: TransformSpec | TransformSpec[]): Transform {
  if (Array.isArray(spec)) return new Compose(spec.map((s) => build(s)));
  let t: Transform;
  if (spec.type === 'compose') t = build(spec.transforms);
  else if (spec.type === 'oneOf')
    t = new OneOf(
      spec.transforms.map((s) => build(s)),
      spec.weights,
    );
  else {
    const { type, p: _p, ...options } = spec;
    t = (registry[type] as (o: typeof options) => Transform)(options);
  }
  return spec.p === undefined ? t : new RandomApply(t, spec.p);
}
