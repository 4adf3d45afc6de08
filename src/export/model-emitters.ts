/**
 * The networks in ONNX: per network class, the eval forward of the whole model from the layer emitters,
 * returning its named outputs. Classifiers give `logits` [N, K] and `probabilities` (softmax) [N, K];
 * segmenters give `logits` [N, K, ...] and `probability` [N, 1, ...], the foreground probability as
 * medattn computes it (sigmoid of one channel, else softmax channel 1). CenterNet gives its three heads at
 * stride 4: the centre `heatmap` probabilities [N, numClasses, H/4, W/4] (sigmoid of the logits), `size`
 * and `offset` [N, 2, H/4, W/4]; box decoding and NMS run in TypeScript after the graph (decodeCenterNet,
 * the code libtorch's CenterNet.decode runs).
 */
import { AttentionCNN, BasicBlock, CenterNet, ResNet, UNet, type AttentionModel } from '../models/index.js';
import type { BatchNorm2d, Conv2d } from '../nn/index.js';
import { ExportError } from './export-error.js';
import { int } from './graph-builder.js';
import { convNorm, emit, globalAvgPool, linear, maxPool, resizeLike, type EmitContext } from './layer-emitters.js';

export type ModelOutputs =
  | { kind: 'detection'; heatmap: string; size: string; offset: string; classes: number }
  | { kind: 'classification'; logits: string; probabilities: string }
  | { kind: 'segmentation'; logits: string; probability: string; classes: number };

type ModelEmitter<M extends AttentionModel> = (ctx: EmitContext, m: M) => ModelOutputs;
type AnyModelEmitter = (ctx: EmitContext, m: AttentionModel) => ModelOutputs;

/**
 * The graph input of a network that does not read an image [N, C, ...spatial] (tables, ICU grids, token ids):
 * its name, dims, element type and a one-line description of its layout (metadata `medattn.input_layout`).
 */
export interface GraphInputSpec {
  name: string;
  dims: (number | string)[];
  dtype: 'float32' | 'int64';
  layout: string;
}
/** The input of model `m`, given the [C, ...] shape its run recorded (if any). */
export type GraphInputOf = (m: AttentionModel, inputShape?: number[]) => GraphInputSpec;

interface ModelEmitterEntry {
  cls: abstract new (...args: never[]) => AttentionModel;
  emit: AnyModelEmitter;
  fullyConvolutional: boolean;
  input?: GraphInputOf;
}
const table: ModelEmitterEntry[] = [];

/**
 * Registers a network's ONNX emitter; fully convolutional networks get dynamic height/width. Networks whose
 * input is not an image give `input`.
 */
export function registerModelEmitter<M extends AttentionModel>(
  cls: abstract new (...args: never[]) => M,
  emitModel: ModelEmitter<M>,
  fullyConvolutional: boolean,
  input?: (m: M, inputShape?: number[]) => GraphInputSpec,
): void {
  table.push({
    cls,
    emit: (ctx, m) => emitModel(ctx, m as M),
    fullyConvolutional,
    ...(input ? { input: (m: AttentionModel, shape?: number[]) => input(m as M, shape) } : {}),
  });
}

export function modelEmitterOf(m: AttentionModel): ModelEmitterEntry {
  const hit = table.find((e) => m instanceof e.cls);
  if (!hit)
    throw new ExportError(
      `cannot export model '${m.modelName}' (${m.constructor.name}): the ONNX exporter does not cover this network yet`,
    );
  return hit;
}

function classifierHead(ctx: EmitContext, logits: string): ModelOutputs {
  return {
    kind: 'classification',
    logits,
    probabilities: ctx.g.node('Softmax', [logits], { axis: int(1) }, 'probabilities'),
  };
}

registerModelEmitter(
  AttentionCNN,
  (ctx, m) => {
    let y = ctx.input;
    m.stages.items.forEach((stage, i) => {
      const at = `stages.${i}`;
      for (let j = 0; j < stage.convs.length; j++)
        y = ctx.g.node(
          'Relu',
          [convNorm(ctx, stage.convs.at(j), stage.norms.at(j), `${at}.convs.${j}`, y, `${at}.norms.${j}`)],
          {},
          `${at}.convs.${j}`,
        );
      y = emit(ctx, stage.attention, `${at}.attention`, [y]);
      if (stage.spec.pool !== false) y = maxPool(ctx, `${at}.pool`, y, 2);
    });
    // global average pool, dropout (identity in eval), linear head
    return classifierHead(ctx, linear(ctx, m.head, 'head', globalAvgPool(ctx, 'pool', y)));
  },
  false,
);

registerModelEmitter(
  ResNet,
  (ctx, m) => {
    let y = ctx.g.node('Relu', [convNorm(ctx, m.conv1, m.bn1, 'conv1', ctx.input, 'bn1')], {}, 'conv1');
    if (!m.config.smallInput) y = maxPool(ctx, 'maxpool', y, 3, { stride: 2, padding: 1 });
    m.layers.forEach((layer, s) => {
      layer.layers.forEach((block, b) => {
        const at = `layer${s + 1}.${b}`;
        if (!(block instanceof BasicBlock))
          throw new ExportError(`cannot export layer '${at}' (${block.constructor.name})`);
        const x = y;
        let out = ctx.g.node(
          'Relu',
          [convNorm(ctx, block.conv1, block.bn1, `${at}.conv1`, x, `${at}.bn1`)],
          {},
          `${at}.conv1`,
        );
        out = convNorm(ctx, block.conv2, block.bn2, `${at}.conv2`, out, `${at}.bn2`);
        if (block.se) out = emit(ctx, block.se, `${at}.se`, [out]);
        const identity = block.downsample ? emit(ctx, block.downsample, `${at}.downsample`, [x]) : x;
        y = ctx.g.node('Relu', [ctx.g.node('Add', [out, identity], {}, at)], {}, at);
      });
    });
    return classifierHead(ctx, linear(ctx, m.fc, 'fc', globalAvgPool(ctx, 'avgpool', y)));
  },
  false,
);

registerModelEmitter(
  UNet,
  (ctx, m) => {
    const doubleConv = (block: (typeof m.encoder.items)[number], at: string, x: string) => {
      const y = ctx.g.node(
        'Relu',
        [convNorm(ctx, block.conv1, block.norm1, `${at}.conv1`, x, `${at}.norm1`)],
        {},
        `${at}.conv1`,
      );
      return ctx.g.node(
        'Relu',
        [convNorm(ctx, block.conv2, block.norm2, `${at}.conv2`, y, `${at}.norm2`)],
        {},
        `${at}.conv2`,
      );
    };
    const skips: string[] = [];
    let y = ctx.input;
    m.encoder.items.forEach((block, i) => {
      y = doubleConv(block, `encoder.${i}`, i === 0 ? y : maxPool(ctx, `encoder.${i}.pool`, y, 2));
      if (i === m.encoder.length - 1 && m.bottleneckAttention)
        y = emit(ctx, m.bottleneckAttention, 'bottleneck_attention', [y]);
      skips.push(y);
    });
    m.decoder.items.forEach((block, i) => {
      const at = `decoder.${i}`;
      const skip = skips[skips.length - 2 - i];
      const gated = block.gate ? emit(ctx, block.gate, `${at}.gate`, [skip, y]) : skip;
      const up = resizeLike(ctx, `${at}.up`, emit(ctx, block.up, `${at}.up`, [y]), skip, 'nearest');
      y = doubleConv(block.conv, `${at}.conv`, ctx.g.node('Concat', [gated, up], { axis: int(1) }, at));
    });
    const logits = emit(ctx, m.head, 'head', [y]);
    const k = m.config.numClasses;
    const probability =
      k === 1
        ? ctx.g.node('Sigmoid', [logits], {}, 'probability')
        : ctx.g.node(
            'Slice',
            [
              ctx.g.node('Softmax', [logits], { axis: int(1) }, 'probability'),
              ctx.g.int64([1]),
              ctx.g.int64([2]),
              ctx.g.int64([1]),
            ],
            {},
            'probability',
          );
    return { kind: 'segmentation', logits, probability, classes: k };
  },
  true,
);

registerModelEmitter(
  CenterNet,
  (ctx, m) => {
    const cbr = (block: { conv: Conv2d; bn: BatchNorm2d }, at: string, x: string) =>
      ctx.g.node('Relu', [convNorm(ctx, block.conv, block.bn, `${at}.conv`, x, `${at}.bn`)], {}, at);
    const feats: string[] = [];
    let y = ctx.input;
    m.backbone.items.forEach((stage, i) => {
      const at = `backbone.${i}`;
      const x = i === 0 ? y : maxPool(ctx, `${at}.pool`, y, 2);
      y = emit(ctx, stage.attention, `${at}.attention`, [
        cbr(stage.conv2, `${at}.conv2`, cbr(stage.conv1, `${at}.conv1`, x)),
      ]);
      feats.push(y);
    });
    const lat = emit(ctx, m.lateral, 'lateral', [feats[2]]);
    const up = resizeLike(ctx, 'top', emit(ctx, m.top, 'top', [y]), lat, 'nearest');
    const f = cbr(m.smooth, 'smooth', ctx.g.node('Add', [lat, up], {}, 'smooth'));
    const heads = (['heatmap', 'size', 'offset'] as const).map((h) => emit(ctx, m[h], h, [f]));
    return {
      kind: 'detection',
      heatmap: ctx.g.node('Sigmoid', [heads[0]], {}, 'heatmap'),
      size: heads[1],
      offset: heads[2],
      classes: m.config.numClasses,
    };
  },
  true,
);
