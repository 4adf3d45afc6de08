/**
 * Transform pipelines as plain data (JSON): what a config file holds and what the loader sends to its worker
 * threads, which rebuild the same pipeline with `createTransform`. A spec is `{ type, ...options }` with the
 * options of the class of that name; any spec may add `p` to be applied with probability p (RandomApply).
 *
 *   [{ type: 'toFloat', scale: 1/255 }, { type: 'resize', size: [64, 64] },
 *    { type: 'randAffine', rotate: 15, p: 0.8 }, { type: 'randFlip', axes: [1] }]
 */
import { Affine, RandAffine, type AffineOptions, type RandAffineOptions } from './affine.js';
import { RandBrightness, type RandBrightnessOptions } from './brightness.js';
import { Compose } from './compose.js';
import { RandContrast, type RandContrastOptions } from './contrast.js';
import { CenterCropOrPad, PadTo, type CropOrPadOptions } from './crop-or-pad.js';
import { RandElastic, type RandElasticOptions } from './elastic.js';
import { Flip, RandFlip, type FlipOptions, type RandFlipOptions } from './flip.js';
import { RandGamma, type RandGammaOptions } from './gamma.js';
import { GaussianBlur, RandGaussianBlur, type GaussianBlurOptions, type RandGaussianBlurOptions } from './gaussian-blur.js';
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
  randGaussianNoise: (o: RandGaussianNoiseOptions) => new RandGaussianNoise(o),
  gaussianBlur: (o: GaussianBlurOptions) => new GaussianBlur(o),
  randGaussianBlur: (o: RandGaussianBlurOptions) => new RandGaussianBlur(o),
} satisfies Record<string, (o: never) => Transform>;

type Registry = typeof registry;

/** One transform as data. */
export type TransformSpec =
  | { [K in keyof Registry]: { type: K; p?: number } & Parameters<Registry[K]>[0] }[keyof Registry]
  | { type: 'compose'; transforms: TransformSpec[]; p?: number }
  | { type: 'oneOf'; transforms: TransformSpec[]; weights?: number[]; p?: number };

/** Names accepted in `type`. */
export const transformTypes: readonly string[] = [...Object.keys(registry), 'compose', 'oneOf'];

/** Builds a transform from its spec (a list of specs becomes a Compose). */
export function createTransform(spec: TransformSpec | TransformSpec[]): Transform {
  if (Array.isArray(spec)) return new Compose(spec.map((s) => createTransform(s)));
  if (typeof spec !== 'object' || spec === null || typeof spec.type !== 'string') {
    throw new TransformError(`transform spec must be an object with a "type", got ${JSON.stringify(spec)}`);
  }
  const { type, p, ...options } = spec as { type: string; p?: number } & Record<string, unknown>;
  let t: Transform;
  if (type === 'compose') t = createTransform(options.transforms as TransformSpec[]);
  else if (type === 'oneOf') {
    t = new OneOf((options.transforms as TransformSpec[]).map((s) => createTransform(s)), options.weights as number[] | undefined);
  } else if (Object.hasOwn(registry, type)) {
    t = (registry[type as keyof Registry] as (o: unknown) => Transform)(options);
  } else {
    throw new TransformError(`unknown transform type "${type}"; expected one of: ${transformTypes.join(', ')}`);
  }
  return p === undefined ? t : new RandomApply(t, p);
}
