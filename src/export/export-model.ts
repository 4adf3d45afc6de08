/**
 * exportModel(): a medattn network to the bytes of an ONNX model, written from TypeScript. The graph is the
 * eval forward (BatchNorm folded into convolutions, dropout gone) with dynamic batch (and height/width for
 * fully convolutional networks), the network's outputs, and every attention map as an extra output
 * `attention/<module>.spatial` ([N, 1, *input spatial], resized to the input as forwardWithAttention does)
 * or `attention/<module>.channel` ([N, C]).
 */
import type { AttentionModel } from '../models/index.js';
import { medattnVersion } from '../version.js';
import { ExportError } from './export-error.js';
import { GraphBuilder } from './graph-builder.js';
import { resizeLike, type EmitContext } from './layer-emitters.js';
import { modelEmitterOf } from './model-emitters.js';
import './transformer-emitters.js';
import './vit-emitter.js';
import './table-emitters.js';
import './sequence-emitters.js';
import './fusion-emitter.js';
import './text-emitters.js';
import { DataType, encodeModel, type Dim, type ModelProto, type ValueInfoProto } from './onnx-proto.js';

export const supportedOpsets = [15, 16, 17] as const;
export const defaultOpset = 17;
/** The graph input's name. */
export const inputName = 'image';

export interface ExportOptions {
  /** ONNX opset (15-17; default 17). */
  opset?: number;
  /** [C, ...spatial] the model was trained on: fixes a classifier's height/width (else they stay dynamic). */
  inputShape?: number[];
  /** metadata_props of the model. */
  metadata?: Record<string, string>;
}

/** A graph input or output: name and dims (a number, or the name of a dynamic axis). */
export interface TensorSpec {
  name: string;
  dims: (number | string)[];
  /** Element type (float32 unless said: token ids are int64). */
  dtype?: 'float32' | 'int64';
}

export interface ExportedModel {
  bytes: Uint8Array;
  task: 'classification' | 'segmentation' | 'detection';
  input: TensorSpec;
  outputs: TensorSpec[];
}

export { medattnVersion };

function valueInfo(spec: TensorSpec): ValueInfoProto {
  const dim: Dim[] = spec.dims.map((d) => (typeof d === 'number' ? { dim_value: d } : { dim_param: d }));
  const elemType = spec.dtype === 'int64' ? DataType.INT64 : DataType.FLOAT;
  return { name: spec.name, type: { tensor_type: { elem_type: elemType, shape: { dim } } } };
}

export function exportModel(model: AttentionModel, options: ExportOptions = {}): ExportedModel {
  const opset = options.opset ?? defaultOpset;
  if (!(supportedOpsets as readonly number[]).includes(opset))
    throw new ExportError(`--opset: expected one of ${supportedOpsets.join(', ')}, got ${opset}`);
  const { emit: emitModel, fullyConvolutional, input: inputOf } = modelEmitterOf(model);
  const config = model.config as { inChannels?: number; spatialDims?: number };
  const spatialDims = config.spatialDims ?? 2;
  // tables, ICU grids and token ids say their own input; images are [batch, C, ...spatial]
  const custom = inputOf?.(model, options.inputShape);
  const channels = options.inputShape?.[0] ?? config.inChannels;
  if (!custom && !channels)
    throw new ExportError(`cannot export model '${model.modelName}': its input channel count is unknown`);
  const axisNames = spatialDims === 3 ? ['depth', 'height', 'width'] : ['height', 'width'];
  const imageSize = (model.config as { imageSize?: number }).imageSize;
  const fixed = options.inputShape?.slice(1) ?? (imageSize ? Array<number>(spatialDims).fill(imageSize) : undefined);
  const spatial: (number | string)[] = !fullyConvolutional && fixed?.length === spatialDims ? fixed : axisNames;
  const input: TensorSpec = custom
    ? { name: custom.name, dims: custom.dims, ...(custom.dtype === 'int64' ? { dtype: 'int64' as const } : {}) }
    : { name: inputName, dims: ['batch', channels!, ...spatial] };

  const g = new GraphBuilder();
  const ctx: EmitContext = {
    g,
    input: g.reserve(input.name),
    spatialDims,
    maps: new Map(),
    mapDims: new Map(),
    inputDims: input.dims,
  };
  const out = emitModel(ctx, model);

  const outputs: TensorSpec[] = [];
  const name = (tensor: string, to: string, dims: (number | string)[]) => {
    outputs.push({ name: g.rename(tensor, to), dims });
  };
  let task: ExportedModel['task'];
  if (out.kind === 'classification') {
    task = 'classification';
    const k = (model.config as { numClasses: number }).numClasses;
    name(out.logits, 'logits', ['batch', k]);
    name(out.probabilities, 'probabilities', ['batch', k]);
  } else if (out.kind === 'detection') {
    task = 'detection';
    const coarse = spatial.map((d) => (typeof d === 'number' ? d / 4 : `${d}/4`));
    name(out.heatmap, 'heatmap', ['batch', out.classes, ...coarse]);
    name(out.size, 'size', ['batch', 2, ...coarse]);
    name(out.offset, 'offset', ['batch', 2, ...coarse]);
  } else {
    task = 'segmentation';
    name(out.logits, 'logits', ['batch', out.classes, ...spatial]);
    name(out.probability, 'probability', ['batch', 1, ...spatial]);
  }
  const modules = new Map(model.namedModules());
  for (const [key, map] of ctx.maps) {
    const to = `attention/${key}`;
    const dims = ctx.mapDims?.get(key);
    if (dims) name(map, to, dims);
    else if (key.endsWith('.spatial')) {
      outputs.push({
        name: g.rename(resizeLike(ctx, to, map, ctx.input, 'linear'), to),
        dims: ['batch', 1, ...spatial],
      });
    } else {
      const block = modules.get(key.slice(0, -'.channel'.length)) as { channels?: unknown } | undefined;
      name(map, to, ['batch', typeof block?.channels === 'number' ? block.channels : `${key}.channels`]);
    }
  }

  const proto: ModelProto = {
    ir_version: 8,
    opset_import: [{ domain: '', version: opset }],
    producer_name: 'medattn',
    producer_version: medattnVersion,
    doc_string: `${model.modelName} exported by medattn ${medattnVersion}`,
    graph: {
      name: model.modelName,
      node: g.nodes,
      initializer: g.initializers,
      input: [valueInfo(input)],
      output: outputs.map(valueInfo),
    },
    metadata_props: Object.entries({
      ...(options.metadata ?? {}),
      ...(custom ? { 'medattn.input_layout': custom.layout } : {}),
    }).map(([key, value]) => ({ key, value })),
  };
  return { bytes: encodeModel(proto), task, input, outputs };
}
