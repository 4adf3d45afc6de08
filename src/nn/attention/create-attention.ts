/**
 * One factory for every channel/spatial attention block, as timm's create_attn: the first argument is always
 * the channel count, so blocks are swappable by name in configs.
 */
import { UserError } from '../../user-error.js';
import { Module } from '../module.js';
import { Identity } from '../layers/linear.js';
import { SqueezeExcitation } from './squeeze-excitation.js';
import { CBAM, CBAMChannel, CBAMSpatial } from './cbam.js';
import { NonLocal } from './non-local.js';
import { ECA } from './eca.js';
import { SCSE } from './scse.js';
import { AttentionGate } from './attention-gate.js';
import { SpatialSelfAttention } from './spatial-self-attention.js';
import { MultiHeadAttention } from './multi-head-attention.js';

export interface AttentionOptions {
  reduction?: number;
  kernelSize?: number;
  spatialDims?: 2 | 3;
  innerChannels?: number;
  /** Attention gate: channels of the gating signal. */
  gatingChannels?: number;
  /** Multi-head attention blocks. */
  numHeads?: number;
}

const builders = {
  none: () => new Identity(),
  se: (c: number, o: AttentionOptions) => new SqueezeExcitation(c, o),
  eca: (c: number, o: AttentionOptions) => new ECA(c, { kernelSize: o.kernelSize }),
  scse: (c: number, o: AttentionOptions) => new SCSE(c, o),
  cbam: (c: number, o: AttentionOptions) => new CBAM(c, o),
  cbam_channel: (c: number, o: AttentionOptions) => new CBAMChannel(c, o),
  cbam_spatial: (c: number, o: AttentionOptions) => new CBAMSpatial(c, o),
  nonlocal: (c: number, o: AttentionOptions) => new NonLocal(c, o),
  attention_gate: (c: number, o: AttentionOptions) => new AttentionGate(c, o),
  mhsa: (c: number, o: AttentionOptions) => new SpatialSelfAttention(c, o),
  multihead: (c: number, o: AttentionOptions) => new MultiHeadAttention(c, { numHeads: o.numHeads }),
} satisfies Record<string, (c: number, o: AttentionOptions) => Module>;

export type AttentionName = keyof typeof builders;
export const attentionNames = Object.keys(builders) as AttentionName[];

/** Blocks that map a feature map [N, C, ...] to one of the same shape (usable in a CNN stage). */
export const featureAttentionNames: AttentionName[] = attentionNames.filter(
  (n) => n !== 'attention_gate' && n !== 'multihead',
);

export class UnknownAttentionError extends UserError {}

export function createAttention(name: AttentionName, channels: number, options: AttentionOptions = {}): Module {
  const build = builders[name] as ((c: number, o: AttentionOptions) => Module) | undefined;
  if (!build)
    throw new UnknownAttentionError(`unknown attention '${name}'; expected one of ${attentionNames.join(', ')}`);
  return build(channels, options);
}
