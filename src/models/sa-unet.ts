/**
 * SA-UNet (Guo et al., ICPR 2020), the spatial-attention U-Net for retinal vessels: a small U-Net (16-128
 * channels, 0.5M parameters) whose 3x3 convolutions are followed by DropBlock in training, with CBAM-style
 * spatial attention (channel mean and max, a 7x7 convolution, sigmoid) on the bottleneck feature. Here the
 * attention follows the bottleneck's double convolution (the paper puts it between the two convolutions).
 * Its spatial attention map is what forwardWithAttention returns.
 */
import { UNet, unetDefaults, type UNetConfig } from './unet.js';

export type SAUNetConfig = Omit<UNetConfig, 'attentionGates'>;

/** The paper's DRIVE setting: features 16-128, block size 7, keep probability 0.82. */
export const saUnetDefaults: SAUNetConfig = {
  ...unetDefaults,
  inChannels: 3,
  numClasses: 1,
  features: [16, 32, 64, 128],
  dropBlock: 0.18,
  dropBlockSize: 7,
  bottleneckAttention: 'cbam_spatial',
  spatialKernel: 7,
};

export class SAUNet extends UNet {
  constructor(config: Partial<SAUNetConfig> = {}) {
    super({ ...saUnetDefaults, ...config, attentionGates: false }, 'sa_unet');
  }
}
