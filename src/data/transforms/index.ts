/** Data augmentation transforms on dictionaries of images and masks (see transform.ts for the contract). */
export { Rng } from './rng.ts';
export {
  TransformError,
  getImage,
  getAnyImage,
  isMedicalImage,
  type Sample,
  type FloatImage,
  type Transform,
  type KeyOptions,
} from './transform.ts';
export { Compose } from './compose.ts';
export { RandomApply } from './random-apply.ts';
export { OneOf } from './one-of.ts';
export { warp, warp2d, warp3d, type Interpolation, type PaddingMode } from './resample.ts';
export { Affine, RandAffine, affineMatrix, affineMaps, type AffineParams, type AffineOptions, type RandAffineOptions, type Range } from './affine.ts';
export { Resize, resizeArray, type ResizeOptions } from './resize.ts';
export { CenterCropOrPad, PadTo, extractRegion, type CropOrPadOptions } from './crop-or-pad.ts';
export { RandCrop, type RandCropOptions } from './rand-crop.ts';
export { NormalizeIntensity, type NormalizeOptions } from './normalize.ts';
export { ScaleIntensityRange, type ScaleIntensityRangeOptions } from './scale-intensity-range.ts';
export { ScaleIntensityPercentiles, percentile, type ScaleIntensityPercentilesOptions } from './scale-intensity-percentiles.ts';
export { Window, type WindowOptions } from './window.ts';
export { ToFloat, type ToFloatOptions } from './to-float.ts';
export { Flip, RandFlip, type FlipOptions, type RandFlipOptions } from './flip.ts';
export { Rot90, RandRot90, type Rot90Options, type RandRot90Options } from './rot90.ts';
export { RandElastic, elasticMaps, type RandElasticOptions } from './elastic.ts';
export { gaussianSmooth, gaussianKernel1d } from './gaussian-filter.ts';
export { GaussianBlur, RandGaussianBlur, type GaussianBlurOptions, type RandGaussianBlurOptions } from './gaussian-blur.ts';
export { RandBrightness, type RandBrightnessOptions } from './brightness.ts';
export { RandContrast, type RandContrastOptions } from './contrast.ts';
export { RandGamma, type RandGammaOptions } from './gamma.ts';
export { RandGaussianNoise, type RandGaussianNoiseOptions } from './gaussian-noise.ts';
export { createTransform, transformTypes, type TransformSpec } from './spec.ts';
