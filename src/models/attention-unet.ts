/**
 * Attention U-Net (Oktay et al., MIDL 2018): the U-Net with an additive attention gate on every skip
 * connection, gated by the coarser decoder feature; its gates' coefficients are the attention maps.
 */
import { UNet, type UNetConfig } from './unet.js';

export type AttentionUNetConfig = Omit<UNetConfig, 'attentionGates'>;

export class AttentionUNet extends UNet {
  constructor(config: Partial<AttentionUNetConfig> = {}) {
    super({ ...config, attentionGates: true }, 'attention_unet');
  }
}
