/**
 * The listing behind `medattn models [--json]`: every network with its default config and parameter count,
 * and every attention block with its parameter count at 64 channels. modelCatalog() returns data;
 * formatCatalog() renders it as a text table.
 */
import { attentionNames, createAttention, type AttentionName } from '../nn/index.js';
import { createModel, modelInfo, modelNames, type ModelName } from './registry.js';
import type { AttentionModel } from './attention-model.js';

export interface CatalogModel {
  name: ModelName;
  task: string;
  description: string;
  parameters: number;
  /** An input shape the default config accepts, [N, C, ...spatial]. */
  inputShape: number[];
  config: object;
}

export interface CatalogBlock {
  name: AttentionName;
  description: string;
  /** Parameters at `channels` channels (2D). */
  parameters: number;
  channels: number;
}

export interface Catalog {
  models: CatalogModel[];
  blocks: CatalogBlock[];
}

const blockDescriptions: Record<AttentionName, string> = {
  none: 'identity (no attention)',
  se: 'squeeze-and-excitation channel attention (Hu 2018)',
  eca: 'efficient channel attention, adaptive 1D conv (Wang 2020)',
  scse: 'concurrent spatial and channel squeeze-excitation (Roy 2018)',
  cbam: 'channel then spatial attention (Woo 2018)',
  cbam_channel: 'CBAM channel attention only',
  cbam_spatial: 'CBAM spatial attention only',
  nonlocal: 'non-local self-attention, identity at init (Wang 2018)',
  attention_gate: 'additive attention gate for skip connections (Oktay 2018)',
  mhsa: 'multi-head self-attention over feature-map positions, identity at init',
  multihead: 'multi-head attention on token sequences (torch.nn.MultiheadAttention layout)',
};

/** An input shape that a model with this config accepts. */
export function exampleInputShape(model: AttentionModel): number[] {
  // The options each branch reads (every image model has inChannels; the others are its own).
  const c = model.config as { inChannels: number; imageSize: number; spatialDims: number; smallInput?: boolean };
  switch (model.modelName) {
    case 'vit':
      return [1, c.inChannels, c.imageSize, c.imageSize];
    case 'unet':
    case 'attention_unet':
    case 'sa_unet':
      return [1, c.inChannels, ...Array(c.spatialDims).fill(c.spatialDims === 3 ? 64 : 128)];
    case 'centernet':
      return [1, c.inChannels, 128, 128];
    case 'ft_transformer':
    case 'feature_attention': // values and missing mask per feature
      return [1, 2, (model.config as { columns: unknown[] }).columns.length];
    default:
      return [1, c.inChannels, c.smallInput === false ? 224 : 64, c.smallInput === false ? 224 : 64];
  }
}

export function modelCatalog(options: { blockChannels?: number } = {}): Catalog {
  const models = modelNames.map((name): CatalogModel => {
    const model = createModel(name);
    try {
      return {
        name,
        ...modelInfo(name),
        parameters: model.numParameters(),
        inputShape: exampleInputShape(model),
        config: model.config,
      };
    } finally {
      model.dispose();
    }
  });
  const channels = options.blockChannels ?? 64;
  const blocks = attentionNames.map((name): CatalogBlock => {
    const block = createAttention(name, channels);
    try {
      return { name, description: blockDescriptions[name], parameters: block.numParameters(), channels };
    } finally {
      block.dispose();
    }
  });
  return { models, blocks };
}

/** Plain-text table of a catalog (the non-JSON form of `medattn models`). */
export function formatCatalog(catalog: Catalog): string {
  const lines = ['networks (default configs):'];
  const w = Math.max(...catalog.models.map((m) => m.name.length));
  for (const m of catalog.models)
    lines.push(
      `  ${m.name.padEnd(w)}  ${m.task.padEnd(14)}  ${m.parameters.toLocaleString('en-US').padStart(11)} params  ${m.description}`,
    );
  const channels = catalog.blocks[0]?.channels ?? 64;
  lines.push('', `attention blocks (at ${channels} channels):`);
  const wb = Math.max(...catalog.blocks.map((b) => b.name.length));
  for (const b of catalog.blocks)
    lines.push(`  ${b.name.padEnd(wb)}  ${b.parameters.toLocaleString('en-US').padStart(9)} params  ${b.description}`);
  return lines.join('\n');
}
