/** Networks, each created by name with a typed config, each able to return its attention maps. */
export { AttentionModel, captureAttention, resizeMap, type AttentionResult } from './attention-model.js';
export { ModelConfigError } from './model-error.js';
export { AttentionCNN, referenceCNNConfig, type AttentionCNNConfig, type AttentionCNNStage } from './attention-cnn.js';
export { ResNet, BasicBlock, resnetDefaults, type ResNetConfig } from './resnet.js';
export { UNet, DoubleConv, UpBlock, unetDefaults, type UNetConfig } from './unet.js';
export { AttentionUNet, type AttentionUNetConfig } from './attention-unet.js';
export { SAUNet, saUnetDefaults, type SAUNetConfig } from './sa-unet.js';
export {
  CenterNet,
  centerNetDefaults,
  centerNetTargets,
  centerNetLoss,
  centreHeat,
  decodeCenterNet,
  OUTPUT_STRIDE,
  type CenterNetHeads,
  type CenterNetConfig,
  type CenterNetStage,
  type Detection,
  type DecodeOptions,
  type GroundTruth,
} from './centernet.js';
export { nms, batchedNms, iou, type Box } from './nms.js';
export { ViT, TransformerBlock, PatchEmbedding, vitDefaults, type ViTConfig } from './vit.js';
export {
  createModel,
  modelNames,
  modelInfo,
  UnknownModelError,
  type ModelConfigs,
  type ModelName,
} from './registry.js';
export {
  modelCatalog,
  formatCatalog,
  exampleInputShape,
  type Catalog,
  type CatalogModel,
  type CatalogBlock,
} from './catalog.js';
export {
  IcuRnn,
  IcuTransformer,
  icuRnnDefaults,
  icuTransformerDefaults,
  type IcuRnnConfig,
  type IcuTransformerConfig,
} from './sequence/icu-models.js';
export { FusionModel, fusionDefaults, type FusionConfig, type FusionInputConfig } from './fusion/fusion-model.js';
export { StaticEncoder, type TableEncoder, type TableEncoding } from './fusion/static-encoder.js';
export { CrossAttentionFusion } from './fusion/cross-attention-fusion.js';
