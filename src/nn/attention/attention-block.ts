/**
 * Base of every attention block: a Module that can keep its most recent attention map (spatial [N, 1, ...]
 * or channel [N, C]) so a network can show where it looked without a second forward pass.
 */
import { keep, type Tensor } from '../../tensor/index.js';
import { Module } from '../module.js';

export interface AttentionMaps {
  /** Spatial weights [N, 1, *spatial] in [0, 1] (or summed softmax weights for self-attention). */
  spatial?: Tensor;
  /** Channel weights [N, C] in [0, 1]. */
  channel?: Tensor;
}

export abstract class AttentionBlock extends Module {
  /** When true, forward() keeps a detached copy of its attention maps in `attention`. */
  captureAttention = false;
  attention: AttentionMaps = {};

  protected record(kind: keyof AttentionMaps, map: Tensor): void {
    if (!this.captureAttention) return;
    this.attention[kind]?.dispose();
    this.attention[kind] = keep(map.detach());
  }

  clearAttention(): void {
    for (const t of Object.values(this.attention)) t?.dispose();
    this.attention = {};
  }
}

/** Mean over all spatial dims of [N, C, ...] -> [N, C]. */
export function globalAvgPool(x: Tensor): Tensor {
  return x.ndim === 2 ? x : x.mean(range(2, x.ndim));
}
/** Max over all spatial dims of [N, C, ...] -> [N, C]. */
export function globalMaxPool(x: Tensor): Tensor {
  return x.ndim === 2 ? x : x.max(range(2, x.ndim));
}
/** [N, C] -> [N, C, 1, ...] broadcastable against an input with `spatialDims` spatial dims. */
export function channelsToBroadcast(w: Tensor, spatialDims: number): Tensor {
  return w.reshape([...w.shape, ...Array(spatialDims).fill(1)]);
}

export function range(start: number, end: number): number[] {
  return Array.from({ length: end - start }, (_, i) => start + i);
}
