/**
 * An image as the exported model takes it, the way `medattn predict` prepares it: channels matched to the model
 * (grey <-> RGB), the run's eval transforms (a detector's with an empty box list), classifiers resized to their
 * training size, segmenters padded to the padding multiple by edge replication. Pure TypeScript (the browser page runs the very same steps, so the
 * in-browser model sees the same numbers as the server's).
 */
import type { MedicalImage } from '../data/medical-image.js';
import { matchChannelsForTransforms } from '../data/match-channels.js';
import { Resize } from '../data/transforms/resize.js';
import { Rng } from '../data/transforms/rng.js';
import { createTransform } from '../data/transforms/spec.js';
import type { ModelInfo } from './model-info.js';

export interface ModelInput {
  /** [1, C, H', W'] float32, padded for segmenters. */
  data: Float32Array;
  shape: number[];
  /** Height and width before padding: outputs are cropped back to it. */
  size: [number, number];
  /** The image after the eval transforms, channel 0 (for overlays), [H, W]. */
  display: Float32Array;
}

/** Edge-replication padding of [C, H, W] to multiples of `m` at the bottom and right (as libtorch's padToMultiple). */
export function padEdges(data: Float32Array, [c, h, w]: number[], m: number): { data: Float32Array; shape: number[] } {
  const ph = Math.ceil(h / m) * m;
  const pw = Math.ceil(w / m) * m;
  if (ph === h && pw === w) return { data, shape: [c, h, w] };
  const out = new Float32Array(c * ph * pw);
  for (let k = 0; k < c; k++)
    for (let y = 0; y < ph; y++) {
      const sy = Math.min(y, h - 1);
      for (let x = 0; x < pw; x++) out[(k * ph + y) * pw + x] = data[(k * h + sy) * w + Math.min(x, w - 1)];
    }
  return { data: out, shape: [c, ph, pw] };
}

export function prepareInput(image: MedicalImage, info: ModelInfo): ModelInput {
  if (image.shape.length !== 3)
    throw new RangeError(`expected a 2D image [C, H, W], got [${image.shape.join(', ')}] (choose a slice of a volume)`);
  const matched = matchChannelsForTransforms(image, info.normalization, info.inputChannels);
  // A detector's eval transforms resize boxes too: an empty box list goes through with the image.
  const boxes = info.task === 'detection' ? { boxes: { boxes: new Float32Array(0), classes: new Int32Array(0) } } : {};
  let sample = createTransform(info.normalization).apply({ image: matched, ...boxes }, Rng.seeded(0));
  let img = sample.image as MedicalImage;
  if (info.inputSize && img.shape.slice(1).join() !== info.inputSize.join()) {
    sample = new Resize({ size: info.inputSize }).apply(sample);
    img = sample.image as MedicalImage;
  }
  const data = Float32Array.from(img.data as ArrayLike<number>);
  const [, h, w] = img.shape;
  const display = data.slice(0, h * w);
  const padded =
    info.task === 'segmentation' ? padEdges(data, img.shape, info.padMultiple) : { data, shape: img.shape };
  return { data: padded.data, shape: [1, ...padded.shape], size: [h, w], display };
}

/** Crops a [.., H', W'] plane stack (one item) back to [h, w]. */
export function cropPlane(data: Float32Array, [ph, pw]: number[], [h, w]: number[]): Float32Array {
  if (ph === h && pw === w) return data;
  const out = new Float32Array(h * w);
  for (let y = 0; y < h; y++) out.set(data.subarray(y * pw, y * pw + w), y * w);
  return out;
}

/** The decided label: binary models compare the positive class with the threshold, others take the most probable. */
export function decide(probabilities: ArrayLike<number>, info: ModelInfo): { index: number; label: string } {
  const p = Array.from(probabilities);
  const index = p.length === 2 ? (p[1] >= info.threshold ? 1 : 0) : p.indexOf(Math.max(...p));
  return { index, label: info.classNames[index] ?? String(index) };
}
