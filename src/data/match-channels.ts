/** Brings an image to a model's channel count: grey -> RGB by repeating, RGB -> grey by the channel mean. */
import type { MedicalImage } from './medical-image.js';
import type { TransformSpec } from './transforms/spec.js';

export function matchChannels(image: MedicalImage, channels: number): MedicalImage {
  const [c, ...spatial] = image.shape;
  if (c === channels) return image;
  const plane = spatial.reduce((a, b) => a * b, 1);
  const out = new Float32Array(channels * plane);
  for (let i = 0; i < plane; i++) {
    let mean = 0;
    for (let k = 0; k < c; k++) mean += Number(image.data[k * plane + i]);
    mean /= c;
    for (let k = 0; k < channels; k++) out[k * plane + i] = c === 1 ? Number(image.data[i]) : mean;
  }
  return { ...image, data: out, shape: [channels, ...spatial] };
}

/**
 * Brings an image to what a run's eval transforms expect: the model's channel count, unless the pipeline picks
 * channels itself (`selectChannels`, e.g. the green channel [1] of a fundus photograph); then an image that has
 * the picked channels keeps its own, and one that lacks them (a grey upload) is repeated up to them, so an RGB
 * file is not averaged to grey before its green channel is taken.
 */
export function matchChannelsForTransforms(
  image: MedicalImage,
  pipeline: readonly TransformSpec[],
  modelChannels: number,
): MedicalImage {
  const pick = pipeline.find((t) => t.type === 'selectChannels') as { channels: number[] } | undefined;
  if (!pick) return matchChannels(image, modelChannels);
  const needed = Math.max(...pick.channels) + 1;
  return image.shape[0] >= needed ? image : matchChannels(image, needed);
}
