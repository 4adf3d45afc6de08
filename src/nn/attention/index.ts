/** Attention blocks, one file each, built by name through createAttention. */
export { AttentionBlock, type AttentionMaps } from './attention-block.js';
export { SqueezeExcitation, type SEConfig } from './squeeze-excitation.js';
export { ECA, ecaKernelSize, type ECAConfig } from './eca.js';
export { SCSE, type SCSEConfig } from './scse.js';
export { CBAM, CBAMChannel, CBAMSpatial } from './cbam.js';
export { NonLocal, type NonLocalConfig } from './non-local.js';
export { AttentionGate, type AttentionGateConfig } from './attention-gate.js';
export { ScaledDotProductAttention } from './scaled-dot-product-attention.js';
export {
  MultiHeadAttention,
  type MultiHeadAttentionConfig,
  type MultiHeadAttentionOptions,
} from './multi-head-attention.js';
export { PreNormEncoderBlock, type PreNormEncoderBlockConfig } from './pre-norm-encoder-block.js';
export { SpatialSelfAttention, type SpatialSelfAttentionConfig } from './spatial-self-attention.js';
export {
  createAttention,
  attentionNames,
  featureAttentionNames,
  UnknownAttentionError,
  type AttentionName,
  type AttentionOptions,
} from './create-attention.js';
