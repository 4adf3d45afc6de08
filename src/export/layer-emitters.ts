/**
 * What each layer is in ONNX: a table keyed by layer class (exact class first, then the nearest base class),
 * so src/nn and src/models need no export code. An emitter writes the nodes of one module's eval forward and
 * returns the tensor it produces; attention blocks also record their maps in the context under the names of
 * AttentionModel.forwardWithAttention ('<module>.spatial' [N, 1, ...], '<module>.channel' [N, C]).
 * BatchNorm after a convolution is folded into that convolution's weights (convNorm).
 */
import { tidy, type Tensor } from '../tensor/index.js';
import {
  AdaptiveAvgPool2d,
  AdaptiveAvgPool3d,
  AdaptiveMaxPool2d,
  AttentionGate,
  AvgPool2d,
  AvgPool3d,
  BatchNorm,
  CBAM,
  CBAMChannel,
  CBAMSpatial,
  ChannelDropout,
  Conv1d,
  Conv2d,
  Conv3d,
  ConvTranspose2d,
  ConvTranspose3d,
  Dropout,
  ECA,
  Flatten,
  GELU,
  GroupNorm,
  Identity,
  InstanceNorm,
  LeakyReLU,
  Linear,
  MaxPool2d,
  MaxPool3d,
  Module,
  NonLocal,
  ReLU,
  SCSE,
  Sequential,
  Sigmoid,
  SiLU,
  Softmax,
  Softplus,
  SqueezeExcitation,
  Tanh,
  Upsample,
} from '../nn/index.js';
import { ExportError } from './export-error.js';
import { float, int, ints, str, type Attr, type GraphBuilder } from './graph-builder.js';

export interface EmitContext {
  g: GraphBuilder;
  /** The graph input (attention maps are resized to its spatial size). */
  input: string;
  /** 2 or 3. */
  spatialDims: number;
  /** Attention maps recorded while emitting: forwardWithAttention key -> tensor name. */
  maps: Map<string, string>;
  /** Dims of maps that are neither '.spatial' nor '.channel' maps (tables, series, text), by key. */
  mapDims?: Map<string, (number | string)[]>;
  /** Dims of the graph input where the network says its own input (tables, ICU grids, token ids). */
  inputDims?: (number | string)[];
}

export type Emitter<M extends Module> = (ctx: EmitContext, m: M, name: string, inputs: string[]) => string;

type AnyEmitter = (ctx: EmitContext, m: Module, name: string, inputs: string[]) => string;
const table: { cls: abstract new (...args: never[]) => Module; emit: AnyEmitter }[] = [];

/** Registers the ONNX emitter of a layer class (and, unless a closer class has one, of its subclasses). */
export function registerEmitter<M extends Module>(cls: abstract new (...args: never[]) => M, emit: Emitter<M>): void {
  table.push({ cls, emit: (ctx, m, name, inputs) => emit(ctx, m as M, name, inputs) });
}

function emitterOf(m: Module): AnyEmitter | undefined {
  const exact = table.find((e) => m.constructor === e.cls);
  if (exact) return exact.emit;
  // nearest registered base class: walk the prototype chain
  for (
    let proto = Object.getPrototypeOf(m) as object | null;
    proto;
    proto = Object.getPrototypeOf(proto) as object | null
  ) {
    const hit = table.find((e) => e.cls.prototype === proto);
    if (hit) return hit.emit;
  }
  return undefined;
}

/** Emits module `m` (dotted path `name`) on `inputs`; a layer without an emitter is a one-line ExportError. */
export function emit(ctx: EmitContext, m: Module, name: string, inputs: string[]): string {
  const e = emitterOf(m);
  if (!e)
    throw new ExportError(
      `cannot export layer '${name || '(model)'}' (${m.constructor.name}): the ONNX exporter has no emitter for this layer class`,
    );
  return e(ctx, m, name, inputs);
}

// ---- weights and shared pieces ----

/** A parameter's values (contiguous float32 copy). */
export function values(t: Tensor): Float32Array {
  return tidy(() => t.detach().contiguous().toFloat32Array());
}

function expand(v: number | number[] | string | undefined, dims: number, fallback: number, what: string): number[] {
  if (v === undefined) return Array<number>(dims).fill(fallback);
  if (typeof v === 'string') throw new ExportError(`cannot export ${what}: padding '${v}' (give explicit padding)`);
  return typeof v === 'number' ? Array<number>(dims).fill(v) : v;
}

type AnyConv = Conv1d | Conv2d | Conv3d;

/** Scale and shift of an eval-mode BatchNorm: y = x * scale + shift. */
function batchNormAffine(bn: BatchNorm, name: string): { scale: Float64Array; shift: Float64Array } {
  if (!bn.runningMean || !bn.runningVar)
    throw new ExportError(
      `cannot export layer '${name}' (BatchNorm without running statistics): eval mode uses batch statistics`,
    );
  const mean = values(bn.runningMean);
  const variance = values(bn.runningVar);
  const gamma = bn.weight ? values(bn.weight) : undefined;
  const beta = bn.bias ? values(bn.bias) : undefined;
  const c = mean.length;
  const scale = new Float64Array(c);
  const shift = new Float64Array(c);
  for (let i = 0; i < c; i++) {
    scale[i] = (gamma ? gamma[i] : 1) / Math.sqrt(variance[i] + bn.eps);
    shift[i] = (beta ? beta[i] : 0) - mean[i] * scale[i];
  }
  return { scale, shift };
}

/**
 * Conv, with a following BatchNorm folded in: W' = W * g / sqrt(v + eps) per output channel,
 * b' = (b - mean) * g / sqrt(v + eps) + beta; and a constant `outScale` the output is multiplied by (the
 * non-local gamma) folded into W and b.
 */
export function convNorm(
  ctx: EmitContext,
  conv: AnyConv,
  norm: Module | undefined,
  name: string,
  x: string,
  normName = '',
  outScale = 1,
): string {
  const dims = conv.weight.ndim - 2;
  const shape = conv.weight.shape;
  let w = values(conv.weight);
  let b = conv.bias ? values(conv.bias) : undefined;
  const folded = norm instanceof BatchNorm;
  if (folded) {
    const { scale, shift } = batchNormAffine(norm, normName);
    const per = w.length / shape[0];
    const w2 = new Float32Array(w.length);
    const b2 = new Float32Array(shape[0]);
    for (let o = 0; o < shape[0]; o++) {
      for (let j = 0; j < per; j++) w2[o * per + j] = w[o * per + j] * scale[o];
      b2[o] = (b ? b[o] : 0) * scale[o] + shift[o];
    }
    w = w2;
    b = b2;
  }
  if (outScale !== 1) {
    if (norm && !folded) throw new ExportError(`cannot export layer '${name}': an output scale before a norm`);
    w = w.map((v) => v * outScale);
    b = b?.map((v) => v * outScale);
  }
  const o = conv.options;
  const pads = expand(o.padding, dims, 0, `layer '${name}'`);
  const inputs = [x, ctx.g.floats(`${name}.weight`, w, shape)];
  if (b) inputs.push(ctx.g.floats(`${name}.bias`, b, [shape[0]]));
  const y = ctx.g.node(
    'Conv',
    inputs,
    {
      kernel_shape: ints(shape.slice(2)),
      strides: ints(expand(o.stride, dims, 1, `layer '${name}'`)),
      pads: ints([...pads, ...pads]),
      dilations: ints(expand(o.dilation, dims, 1, `layer '${name}'`)),
      group: int(o.groups ?? 1),
    },
    name,
  );
  return norm && !folded ? emit(ctx, norm, normName, [y]) : y;
}

/** y = x W^T + b on [N, in] (Gemm). */
export function linear(ctx: EmitContext, m: Linear, name: string, x: string): string {
  const inputs = [x, ctx.g.floats(`${name}.weight`, values(m.weight), m.weight.shape)];
  if (m.bias) inputs.push(ctx.g.floats(`${name}.bias`, values(m.bias), m.bias.shape));
  return ctx.g.node('Gemm', inputs, { transB: int(1) }, name);
}

/** Mean over the spatial dims of [N, C, ...] -> [N, C]. */
export function globalAvgPool(ctx: EmitContext, name: string, x: string): string {
  return ctx.g.node('Flatten', [ctx.g.node('GlobalAveragePool', [x], {}, name)], { axis: int(1) }, name);
}
function globalMaxPool(ctx: EmitContext, name: string, x: string): string {
  return ctx.g.node('Flatten', [ctx.g.node('GlobalMaxPool', [x], {}, name)], { axis: int(1) }, name);
}

/** [N, C] -> [N, C, 1, ...] against the feature maps. */
function channelsToBroadcast(ctx: EmitContext, name: string, w: string): string {
  const axes = Array.from({ length: ctx.spatialDims }, (_, i) => i + 2);
  return ctx.g.node('Unsqueeze', [w, ctx.g.int64(axes)], {}, name);
}

/** Shape(x)[start:end] as an int64 tensor. */
export function shapeOf(ctx: EmitContext, name: string, x: string, start: number, end?: number): string {
  return ctx.g.node(
    'Shape',
    [x],
    end === undefined ? { start: int(start) } : { start: int(start), end: int(end) },
    name,
  );
}

/**
 * Resizes x [N, C, ...] to the spatial size of `like` (F.interpolate with size: bilinear/trilinear with
 * align_corners=false is ONNX's half_pixel linear; 'nearest' is asymmetric + floor).
 */
export function resizeLike(
  ctx: EmitContext,
  name: string,
  x: string,
  like: string,
  mode: 'linear' | 'nearest',
): string {
  const sizes = ctx.g.node(
    'Concat',
    [shapeOf(ctx, name, x, 0, 2), shapeOf(ctx, name, like, 2)],
    { axis: int(0) },
    name,
  );
  const attrs: Record<string, Attr> =
    mode === 'linear'
      ? { mode: str('linear'), coordinate_transformation_mode: str('half_pixel') }
      : { mode: str('nearest'), coordinate_transformation_mode: str('asymmetric'), nearest_mode: str('floor') };
  return ctx.g.node('Resize', [x, '', '', sizes], attrs, name);
}

function pool(
  ctx: EmitContext,
  op: 'MaxPool' | 'AveragePool',
  name: string,
  x: string,
  kernel: number | number[],
  o: { stride?: number | number[]; padding?: number | number[]; dilation?: number | number[]; ceilMode?: boolean },
): string {
  const d = ctx.spatialDims;
  const k = expand(kernel, d, 1, `layer '${name}'`);
  const pads = expand(o.padding, d, 0, `layer '${name}'`);
  const attrs = {
    kernel_shape: ints(k),
    strides: ints(o.stride === undefined ? k : expand(o.stride, d, 1, `layer '${name}'`)),
    pads: ints([...pads, ...pads]),
    ceil_mode: int(o.ceilMode ? 1 : 0),
    ...(op === 'MaxPool'
      ? { dilations: ints(expand(o.dilation, d, 1, `layer '${name}'`)) }
      : { count_include_pad: int(1) }),
  };
  return ctx.g.node(op, [x], attrs, name);
}

/** 2x max-pooling as the networks call F.maxPool2d(x, 2) / F.maxPool3d(x, 2). */
export function maxPool(
  ctx: EmitContext,
  name: string,
  x: string,
  kernel: number,
  o: { stride?: number; padding?: number } = {},
): string {
  return pool(ctx, 'MaxPool', name, x, kernel, o);
}

function record(ctx: EmitContext, name: string, kind: 'spatial' | 'channel', map: string): void {
  ctx.maps.set(`${name}.${kind}`, map);
}

// ---- the table ----

const pass: Emitter<Module> = (_ctx, _m, _name, [x]) => x;

registerEmitter(Conv1d, (ctx, m, name, [x]) => convNorm(ctx, m, undefined, name, x));
registerEmitter(Conv2d, (ctx, m, name, [x]) => convNorm(ctx, m, undefined, name, x));
registerEmitter(Conv3d, (ctx, m, name, [x]) => convNorm(ctx, m, undefined, name, x));

function convTranspose(ctx: EmitContext, m: ConvTranspose2d | ConvTranspose3d, name: string, x: string): string {
  const dims = m.weight.ndim - 2;
  const o = m.options;
  const pads = expand(o.padding, dims, 0, `layer '${name}'`);
  const inputs = [x, ctx.g.floats(`${name}.weight`, values(m.weight), m.weight.shape)];
  if (m.bias) inputs.push(ctx.g.floats(`${name}.bias`, values(m.bias), m.bias.shape));
  return ctx.g.node(
    'ConvTranspose',
    inputs,
    {
      kernel_shape: ints(m.weight.shape.slice(2)),
      strides: ints(expand(o.stride, dims, 1, `layer '${name}'`)),
      pads: ints([...pads, ...pads]),
      dilations: ints(expand(o.dilation, dims, 1, `layer '${name}'`)),
      output_padding: ints(expand(o.outputPadding, dims, 0, `layer '${name}'`)),
      group: int(o.groups ?? 1),
    },
    name,
  );
}
registerEmitter(ConvTranspose2d, (ctx, m, name, [x]) => convTranspose(ctx, m, name, x));
registerEmitter(ConvTranspose3d, (ctx, m, name, [x]) => convTranspose(ctx, m, name, x));

registerEmitter(Linear, (ctx, m, name, [x]) => linear(ctx, m, name, x));
registerEmitter(Identity, pass);
registerEmitter(Dropout, pass); // eval mode
registerEmitter(ChannelDropout, pass);

registerEmitter(BatchNorm, (ctx, m, name, [x]) => {
  const { scale, shift } = batchNormAffine(m, name);
  const c = scale.length;
  const bshape = [c, ...Array<number>(ctx.spatialDims).fill(1)];
  const s = ctx.g.floats(`${name}.scale`, Float32Array.from(scale), bshape);
  const b = ctx.g.floats(`${name}.shift`, Float32Array.from(shift), bshape);
  return ctx.g.node('Add', [ctx.g.node('Mul', [x, s], {}, name), b], {}, name);
});
registerEmitter(InstanceNorm, (ctx, m, name, [x]) => {
  const c = m.numFeatures;
  const scale = m.weight ? values(m.weight) : new Float32Array(c).fill(1);
  const bias = m.bias ? values(m.bias) : new Float32Array(c);
  return ctx.g.node(
    'InstanceNormalization',
    [x, ctx.g.floats(`${name}.weight`, scale, [c]), ctx.g.floats(`${name}.bias`, bias, [c])],
    { epsilon: float(m.eps) },
    name,
  );
});

/**
 * GroupNorm without opset 18's GroupNormalization: InstanceNormalization over [N, G, C/G * spatial] gives each
 * group's mean and variance, then the per-channel affine on the original shape.
 */
registerEmitter(GroupNorm, (ctx, m, name, [x]) => {
  const g = ctx.g;
  const groups = m.numGroups;
  const grouped = g.node('Reshape', [x, g.int64([0, groups, -1])], {}, name);
  const normed = g.node(
    'InstanceNormalization',
    [
      grouped,
      g.floats(`${name}.group_scale`, new Float32Array(groups).fill(1), [groups]),
      g.floats(`${name}.group_shift`, new Float32Array(groups), [groups]),
    ],
    { epsilon: float(m.eps) },
    name,
  );
  const y = g.node('Reshape', [normed, shapeOf(ctx, name, x, 0)], {}, name);
  if (!m.weight && !m.bias) return y;
  const c = m.numChannels;
  const bshape = [c, ...Array<number>(ctx.spatialDims).fill(1)];
  const scale = m.weight ? values(m.weight) : new Float32Array(c).fill(1);
  const shift = m.bias ? values(m.bias) : new Float32Array(c);
  return g.node(
    'Add',
    [g.node('Mul', [y, g.floats(`${name}.weight`, scale, bshape)], {}, name), g.floats(`${name}.bias`, shift, bshape)],
    {},
    name,
  );
});

registerEmitter(ReLU, (ctx, _m, name, [x]) => ctx.g.node('Relu', [x], {}, name));
registerEmitter(LeakyReLU, (ctx, m, name, [x]) =>
  ctx.g.node('LeakyRelu', [x], { alpha: float(m.negativeSlope) }, name),
);
registerEmitter(Sigmoid, (ctx, _m, name, [x]) => ctx.g.node('Sigmoid', [x], {}, name));
registerEmitter(Tanh, (ctx, _m, name, [x]) => ctx.g.node('Tanh', [x], {}, name));
registerEmitter(SiLU, (ctx, _m, name, [x]) => ctx.g.node('Mul', [x, ctx.g.node('Sigmoid', [x], {}, name)], {}, name));
/** Exact GELU, 0.5 x (1 + erf(x / sqrt 2)), in opset-17 nodes (ONNX's Gelu op needs opset 20). */
export function geluNodes(ctx: EmitContext, name: string, x: string): string {
  const c = (v: number) => ctx.g.floats(`${name}.const`, Float32Array.of(v), []);
  const erf = ctx.g.node('Erf', [ctx.g.node('Mul', [x, c(Math.SQRT1_2)], {}, name)], {}, name);
  return ctx.g.node(
    'Mul',
    [ctx.g.node('Mul', [x, c(0.5)], {}, name), ctx.g.node('Add', [erf, c(1)], {}, name)],
    {},
    name,
  );
}

registerEmitter(GELU, (ctx, m, name, [x]) => {
  if (m.approximate !== 'none')
    throw new ExportError(`cannot export layer '${name}' (GELU approximate='${m.approximate}')`);
  return geluNodes(ctx, name, x);
});
registerEmitter(Softplus, (ctx, m, name, [x]) => {
  if (m.beta !== 1) throw new ExportError(`cannot export layer '${name}' (Softplus with beta ${m.beta})`);
  return ctx.g.node('Softplus', [x], {}, name);
});
registerEmitter(Softmax, (ctx, m, name, [x]) => ctx.g.node('Softmax', [x], { axis: int(m.dim) }, name));
registerEmitter(Flatten, (ctx, m, name, [x]) => {
  if (m.endDim !== -1)
    throw new ExportError(`cannot export layer '${name}' (Flatten to dim ${m.endDim}): only to the last dim`);
  return ctx.g.node('Flatten', [x], { axis: int(m.startDim) }, name);
});
registerEmitter(MaxPool2d, (ctx, m, name, [x]) => pool(ctx, 'MaxPool', name, x, m.kernelSize, m.options));
registerEmitter(MaxPool3d, (ctx, m, name, [x]) => pool(ctx, 'MaxPool', name, x, m.kernelSize, m.options));
registerEmitter(AvgPool2d, (ctx, m, name, [x]) => pool(ctx, 'AveragePool', name, x, m.kernelSize, m.options));
registerEmitter(AvgPool3d, (ctx, m, name, [x]) => pool(ctx, 'AveragePool', name, x, m.kernelSize, m.options));
const adaptiveAvg: Emitter<AdaptiveAvgPool2d | AdaptiveAvgPool3d> = (ctx, m, name, [x]) => {
  const size = typeof m.outputSize === 'number' ? [m.outputSize] : m.outputSize;
  if (size.some((s) => s !== 1))
    throw new ExportError(`cannot export layer '${name}' (adaptive pooling to [${size}]): only to 1`);
  return ctx.g.node('GlobalAveragePool', [x], {}, name);
};
registerEmitter(AdaptiveAvgPool2d, adaptiveAvg);
registerEmitter(AdaptiveAvgPool3d, adaptiveAvg);
registerEmitter(AdaptiveMaxPool2d, (ctx, m, name, [x]) => {
  const size = typeof m.outputSize === 'number' ? [m.outputSize] : m.outputSize;
  if (size.some((s) => s !== 1))
    throw new ExportError(`cannot export layer '${name}' (adaptive pooling to [${size}]): only to 1`);
  return ctx.g.node('GlobalMaxPool', [x], {}, name);
});
registerEmitter(Upsample, (ctx, m, name, [x]) => {
  const o = m.options;
  const mode = o.mode ?? 'nearest';
  if (o.alignCorners || !['nearest', 'bilinear', 'trilinear', 'linear'].includes(mode) || o.scaleFactor === undefined)
    throw new ExportError(
      `cannot export layer '${name}' (Upsample ${JSON.stringify(o)}): only scale factors, nearest or (bi/tri)linear without align_corners`,
    );
  const f = expand(o.scaleFactor, ctx.spatialDims, 1, `layer '${name}'`);
  const scales = ctx.g.floats(`${name}.scales`, Float32Array.from([1, 1, ...f]), [2 + f.length]);
  const attrs: Record<string, Attr> =
    mode === 'nearest'
      ? { mode: str('nearest'), coordinate_transformation_mode: str('asymmetric'), nearest_mode: str('floor') }
      : { mode: str('linear'), coordinate_transformation_mode: str('half_pixel') };
  return ctx.g.node('Resize', [x, '', scales], attrs, name);
});

/** Sequential: children in order, a Conv followed by a BatchNorm folded into one Conv. */
registerEmitter(Sequential, (ctx, m, name, [x]) => {
  let y = x;
  const at = (i: number) => (name ? `${name}.${i}` : String(i));
  for (let i = 0; i < m.layers.length; i++) {
    const layer = m.layers[i];
    const next = m.layers[i + 1];
    if ((layer instanceof Conv1d || layer instanceof Conv2d || layer instanceof Conv3d) && next instanceof BatchNorm) {
      y = convNorm(ctx, layer, next, at(i), y, at(i + 1));
      i++;
    } else y = emit(ctx, layer, at(i), [y]);
  }
  return y;
});

// ---- attention blocks ----

registerEmitter(SqueezeExcitation, (ctx, m, name, [x]) => {
  const s = globalAvgPool(ctx, name, x);
  const h = ctx.g.node('Relu', [linear(ctx, m.fc1, `${name}.fc1`, s)], {}, name);
  const w = ctx.g.node('Sigmoid', [linear(ctx, m.fc2, `${name}.fc2`, h)], {}, name);
  record(ctx, name, 'channel', w);
  return ctx.g.node('Mul', [x, channelsToBroadcast(ctx, name, w)], {}, name);
});

registerEmitter(CBAMChannel, (ctx, m, name, [x]) => {
  const mlp = (v: string) =>
    linear(ctx, m.fc2, `${name}.fc2`, ctx.g.node('Relu', [linear(ctx, m.fc1, `${name}.fc1`, v)], {}, name));
  const w = ctx.g.node(
    'Sigmoid',
    [ctx.g.node('Add', [mlp(globalAvgPool(ctx, name, x)), mlp(globalMaxPool(ctx, name, x))], {}, name)],
    {},
    name,
  );
  record(ctx, name, 'channel', w);
  return ctx.g.node('Mul', [x, channelsToBroadcast(ctx, name, w)], {}, name);
});

registerEmitter(CBAMSpatial, (ctx, m, name, [x]) => {
  const mean = ctx.g.node('ReduceMean', [x], { axes: ints([1]), keepdims: int(1) }, name);
  const max = ctx.g.node('ReduceMax', [x], { axes: ints([1]), keepdims: int(1) }, name);
  const pooled = ctx.g.node('Concat', [mean, max], { axis: int(1) }, name);
  const w = ctx.g.node('Sigmoid', [convNorm(ctx, m.conv, undefined, `${name}.conv`, pooled)], {}, name);
  record(ctx, name, 'spatial', w);
  return ctx.g.node('Mul', [x, w], {}, name);
});

registerEmitter(CBAM, (ctx, m, name, [x]) =>
  emit(ctx, m.spatialGate, `${name}.spatial_gate`, [emit(ctx, m.channelGate, `${name}.channel_gate`, [x])]),
);

registerEmitter(ECA, (ctx, m, name, [x]) => {
  const s = ctx.g.node('Unsqueeze', [globalAvgPool(ctx, name, x), ctx.g.int64([1])], {}, name); // [N, 1, C]
  const conv = convNorm(ctx, m.conv, undefined, `${name}.conv`, s);
  const w = ctx.g.node('Sigmoid', [ctx.g.node('Squeeze', [conv, ctx.g.int64([1])], {}, name)], {}, name);
  record(ctx, name, 'channel', w);
  return ctx.g.node('Mul', [x, channelsToBroadcast(ctx, name, w)], {}, name);
});

registerEmitter(SCSE, (ctx, m, name, [x]) => {
  const h = ctx.g.node('Relu', [linear(ctx, m.fc1, `${name}.fc1`, globalAvgPool(ctx, name, x))], {}, name);
  const c = ctx.g.node('Sigmoid', [linear(ctx, m.fc2, `${name}.fc2`, h)], {}, name);
  const s = ctx.g.node('Sigmoid', [convNorm(ctx, m.spatial, undefined, `${name}.spatial`, x)], {}, name);
  record(ctx, name, 'channel', c);
  record(ctx, name, 'spatial', s);
  return ctx.g.node('Mul', [x, ctx.g.node('Add', [channelsToBroadcast(ctx, name, c), s], {}, name)], {}, name);
});

registerEmitter(NonLocal, (ctx, m, name, [x]) => {
  const g = ctx.g;
  const flat = g.int64([0, m.inner, -1]);
  const perm = { perm: ints([0, 2, 1]) };
  const embed = (conv: Conv2d | Conv3d, part: string) =>
    g.node('Reshape', [convNorm(ctx, conv, undefined, `${name}.${part}`, x), flat], {}, name);
  const q = g.node('Transpose', [embed(m.theta, 'theta')], perm, name); // [N, P, C']
  const k = embed(m.phi, 'phi'); // [N, C', P]
  const v = g.node('Transpose', [embed(m.g, 'g')], perm, name); // [N, P, C']
  const weights = g.node('Softmax', [g.node('MatMul', [q, k], {}, name)], { axis: int(-1) }, name); // [N, P, P]
  const batch = shapeOf(ctx, name, x, 0, 1);
  const spatial = shapeOf(ctx, name, x, 2);
  // attention each position receives, averaged over queries
  const received = g.node('ReduceMean', [weights], { axes: ints([1]), keepdims: int(0) }, name);
  const mapShape = g.node('Concat', [batch, g.int64([1]), spatial], { axis: int(0) }, name);
  record(ctx, name, 'spatial', g.node('Reshape', [received, mapShape], {}, name));
  const yShape = g.node('Concat', [batch, g.int64([m.inner]), spatial], { axis: int(0) }, name);
  const y = g.node(
    'Reshape',
    [g.node('Transpose', [g.node('MatMul', [weights, v], {}, name)], perm, name), yShape],
    {},
    name,
  );
  // gamma (one scalar) folded into the output convolution: one op less, and the int8 residual reads it directly
  const out = convNorm(ctx, m.out, undefined, `${name}.out`, y, '', values(m.gamma)[0]);
  return g.node('Add', [x, out], {}, name);
});

/** inputs: [skip x, gating signal g]. */
registerEmitter(AttentionGate, (ctx, m, name, [x, gate]) => {
  if (!gate) throw new ExportError(`cannot export layer '${name}' (AttentionGate): no gating signal`);
  const thetaX = convNorm(ctx, m.theta, undefined, `${name}.theta`, x);
  const phiG = resizeLike(ctx, name, convNorm(ctx, m.phi, undefined, `${name}.phi`, gate), thetaX, 'linear');
  const q = convNorm(
    ctx,
    m.psi,
    undefined,
    `${name}.psi`,
    ctx.g.node('Relu', [ctx.g.node('Add', [thetaX, phiG], {}, name)], {}, name),
  );
  const alpha = resizeLike(ctx, name, ctx.g.node('Sigmoid', [q], {}, name), x, 'linear');
  record(ctx, name, 'spatial', alpha);
  return convNorm(ctx, m.W.conv, m.W.bn, `${name}.W.0`, ctx.g.node('Mul', [x, alpha], {}, name), `${name}.W.1`);
});
