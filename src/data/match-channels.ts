/** Brings an image to a model's channel count: grey -> RGB by repeating, RGB -> grey by the channel mean. */
import type { MedicalImage } from './medical-image.js';

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
