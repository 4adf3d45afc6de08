/** Full-image inference for U-Nets: pad to a multiple of the network's total stride, crop the output back. */
import { F, type Tensor } from '../tensor/index.js';

/** Pads [N, C, ...spatial] at the end of each spatial axis (edge replication) to multiples of `m`. */
export function padToMultiple(x: Tensor, m: number): { padded: Tensor; spatial: number[] } {
  const spatial = x.shape.slice(2);
  const pads: number[] = [];
  for (let i = spatial.length - 1; i >= 0; i--) pads.push(0, (m - (spatial[i] % m)) % m);
  return { padded: pads.some((p) => p) ? F.pad(x, pads, 'replicate') : x, spatial };
}

/** Crops [N, C, ...] back to the given spatial size (from the start of each axis). */
export function cropTo(x: Tensor, spatial: number[]): Tensor {
  let y = x;
  spatial.forEach((s, i) => {
    if (y.size(i + 2) !== s) y = y.narrow(i + 2, 0, s);
  });
  return y;
}

/** Probability of the foreground: sigmoid of one channel, or softmax channel 1 of several. */
export function foregroundProbability(logits: Tensor): Tensor {
  return logits.size(1) === 1 ? logits.sigmoid() : logits.softmax(1).narrow(1, 1, 1);
}
