/**
 * Every network by name with a typed, JSON-serialisable config: createModel(name, config) fills the
 * defaults, and createModel(model.modelName, model.config) (or JSON.parse of model.toJSON()) rebuilds the
 * same architecture, so a checkpoint plus its config restores a model.
 */
import { UserError } from '../user-error.js';
import { AttentionCNN, referenceCNNConfig, type AttentionCNNConfig } from './attention-cnn.js';
import { ResNet, type ResNetConfig } from './resnet.js';
import { UNet, type UNetConfig } from './unet.js';
import { AttentionUNet, type AttentionUNetConfig } from './attention-unet.js';
import { SAUNet, type SAUNetConfig } from './sa-unet.js';
import { CenterNet, type CenterNetConfig } from './centernet.js';
import { ViT, type ViTConfig } from './vit.js';
import { TableClassifier, type TableClassifierConfig } from './tabular/table-classifier.js';
import type { AttentionModel } from './attention-model.js';
import {
  IcuRnn,
  IcuTransformer,
  icuRnnDefaults,
  icuTransformerDefaults,
  type IcuRnnConfig,
  type IcuTransformerConfig,
} from './sequence/icu-models.js';
import { FusionModel, fusionDefaults, type FusionConfig } from './fusion/fusion-model.js';
import { checkModelConfig } from './model-size.js';

export interface ModelConfigs {
  attention_cnn: AttentionCNNConfig;
  resnet18: ResNetConfig;
  resnet34: ResNetConfig;
  se_resnet18: ResNetConfig;
  se_resnet34: ResNetConfig;
  unet: UNetConfig;
  attention_unet: AttentionUNetConfig;
  sa_unet: SAUNetConfig;
  centernet: CenterNetConfig;
  vit: ViTConfig;
  ft_transformer: TableClassifierConfig;
  feature_attention: TableClassifierConfig;
  icu_rnn: IcuRnnConfig;
  icu_transformer: IcuTransformerConfig;
  fusion: FusionConfig;
}
export type ModelName = keyof ModelConfigs;

type Factory<K extends ModelName> = (config: Partial<ModelConfigs[K]>) => AttentionModel<ModelConfigs[K]>;

const factories: {
  [K in ModelName]: { create: Factory<K>; task: 'classification' | 'segmentation' | 'detection'; description: string };
} = {
  attention_cnn: {
    create: (c) => new AttentionCNN({ ...referenceCNNConfig, ...c }),
    task: 'classification',
    description: 'conv stages with an attention block each (default SE, CBAM spatial, non-local)',
  },
  resnet18: {
    create: (c) => new ResNet({ ...c, depth: 18, attention: c.attention ?? 'none' }, 'resnet18'),
    task: 'classification',
    description: 'ResNet-18, torchvision layout (baseline)',
  },
  resnet34: {
    create: (c) => new ResNet({ ...c, depth: 34, attention: c.attention ?? 'none' }, 'resnet34'),
    task: 'classification',
    description: 'ResNet-34, torchvision layout (baseline)',
  },
  se_resnet18: {
    create: (c) => new ResNet({ ...c, depth: 18, attention: c.attention ?? 'se' }, 'se_resnet18'),
    task: 'classification',
    description: 'ResNet-18 with squeeze-excitation in every block',
  },
  se_resnet34: {
    create: (c) => new ResNet({ ...c, depth: 34, attention: c.attention ?? 'se' }, 'se_resnet34'),
    task: 'classification',
    description: 'ResNet-34 with squeeze-excitation in every block',
  },
  unet: {
    create: (c) => new UNet({ ...c, attentionGates: false }, 'unet'),
    task: 'segmentation',
    description: 'U-Net, 2D or 3D (baseline)',
  },
  attention_unet: {
    create: (c) => new AttentionUNet(c),
    task: 'segmentation',
    description: 'U-Net with attention gates on the skips (Oktay 2018), 2D or 3D',
  },
  sa_unet: {
    create: (c) => new SAUNet(c),
    task: 'segmentation',
    description: 'SA-UNet: small U-Net, DropBlock, spatial attention at the bottleneck (Guo 2020), 2D',
  },
  centernet: {
    create: (c) => new CenterNet(c),
    task: 'detection',
    description: 'anchor-free centre-point detector on an attention backbone',
  },
  vit: {
    create: (c) => new ViT(c),
    task: 'classification',
    description: 'small Vision Transformer (pre-norm, class token)',
  },
  ft_transformer: {
    create: (c) => new TableClassifier('ft_transformer', c),
    task: 'classification',
    description: 'FT-Transformer for tables: a token per feature, self-attention, [CLS] (Gorishniy 2021)',
  },
  feature_attention: {
    create: (c) => new TableClassifier('feature_attention', c),
    task: 'classification',
    description: 'attention over feature tokens (additive, one weight per feature), lighter than FT-Transformer',
  },
  icu_rnn: {
    create: (c) => new IcuRnn({ ...icuRnnDefaults, ...c }),
    task: 'classification',
    description: 'ICU series: GRU/LSTM with attention over variables and hours',
  },
  icu_transformer: {
    create: (c) => new IcuTransformer({ ...icuTransformerDefaults, ...c }),
    task: 'classification',
    description: 'ICU series: transformer encoder over observations',
  },
  fusion: {
    create: (c) => new FusionModel({ ...fusionDefaults, ...c }),
    task: 'classification',
    description: 'encoders per input (ICU series, static, table, image) fused by cross-attention',
  },
};

export const modelNames = Object.keys(factories) as ModelName[];

export class UnknownModelError extends UserError {}

export function createModel<K extends ModelName>(
  name: K,
  config: Partial<ModelConfigs[K]> = {},
): AttentionModel<ModelConfigs[K]> {
  const entry = factories[name] as (typeof factories)[K] | undefined;
  if (!entry) throw new UnknownModelError(`unknown model '${name}'; expected one of ${modelNames.join(', ')}`);
  checkModelConfig(name, config); // sizes sane and parameters under the ceiling, before anything is allocated
  return entry.create(config);
}

/** What a model is for and a one-line description (for listings). */
export function modelInfo(name: ModelName): { task: string; description: string } {
  const { task, description } = factories[name];
  return { task, description };
}
