/**
 * Static post-training int8 quantization of an exported fp32 model, in QDQ form (QuantizeLinear /
 * DequantizeLinear pairs that ONNX Runtime fuses into integer kernels where it can):
 * - weights of Conv, ConvTranspose and Gemm: int8 (7-bit range), symmetric, one scale per output channel;
 * - activations entering those ops and leaving each conv-ReLU: uint8, asymmetric, with ranges calibrated on
 *   real images: the `percentile` (default 99.99 %) and its mirror of the observed values, so rare outliers
 *   do not stretch the scale (`ranges: 'percentile'`, default; 100 = min/max), or per tensor the candidate
 *   percentile (99.9, 99.99, 99.999, 100) whose uint8 rounding and clipping gives the least mean squared error
 *   on its calibration values (`ranges: 'mse'`: on the small DRIVE model it lost more Dice than 99.99 %);
 * - the ends stay float32 (`floatEnds`, default): the convolution that reads the image (quantizing the image
 *   itself costs most; and on a CPU without VNNI ONNX Runtime's integer convolution of a 1-channel image was
 *   slower than the float one with its reorders) and the layers whose output reaches a model output through
 *   weight-free ops only (the head), as quantizers commonly do; these few weights weigh little in the file.
 * - the attention blocks' ops on quantized maps (`attention`, default): sigmoid gates with the fixed range
 *   [0, 1], gated products, channel means, the non-local block's embeddings and residual, so ONNX Runtime runs
 *   them on its integer kernels (see `attentionOnIntegers`), and the pool after a channel gate's product moved
 *   before it (`poolBeforeChannelGates`); MaxPool, reshapes and resizes keep their input's range;
 * - U-Net decoders (`decoder`, default): 2x up-convolutions as 1x1 convolutions and a pixel shuffle, skip +
 *   up-sampled concatenations on integers (see `decoderOnIntegers`).
 * Biases and other ops stay float.
 */
import { DataType, decodeModel, encodeModel, type ModelProto, type NodeProto, type TensorProto } from './onnx-proto.js';
import { ExportError } from './export-error.js';
import { graphIndex } from './graph-index.js';
import { upConvolutionsAsPixelShuffle } from './pixel-shuffle.js';
import { poolBeforeChannelGates } from './pool-before-gate.js';
import { onnxRuntime } from '../runtime/onnxruntime.js';

export interface CalibrationBatch {
  data: Float32Array;
  shape: number[];
}

export interface QuantizeOptions {
  /** How activation ranges are chosen: one `percentile` for every tensor (default), or per tensor by least squared error ('mse'). */
  ranges?: 'mse' | 'percentile';
  /** With ranges 'percentile': upper percentile of each activation's values kept inside the range (default 99.99; 100 = min/max). */
  percentile?: number;
  /** Keep the convolution on the input image and the output heads in float32 (default true). */
  floatEnds?: boolean;
  /** Values kept per activation for the percentiles (a regular subsample; default 400,000). */
  samplesPerTensor?: number;
  threads?: number;
  /** Also quantize each Conv's output (after its ReLU), so ONNX Runtime runs integer convolutions (default true). */
  outputs?: boolean;
  /** Also run the attention blocks' ops on quantized maps on integer kernels (default true): see `attentionOnIntegers`. */
  attention?: boolean;
  /**
   * U-Net decoders on integer kernels (default true): 2x up-convolutions rewritten as a 1x1 Conv and a pixel
   * shuffle, skip + up-sampled concatenations as QLinearConcat (see `decoderOnIntegers`).
   */
  decoder?: boolean;
}

export interface QuantizeResult {
  bytes: Uint8Array;
  /** Weights quantized, activations calibrated. */
  weights: number;
  activations: number;
  /** Layers kept in float32 (floatEnds), by weight name. */
  floatLayers: string[];
}

/** Candidate upper percentiles of the 'mse' range search (100 = min/max). */
export const rangePercentiles = [99.9, 99.99, 99.999, 100] as const;

/** Which input of each quantized op is its weight, and the weight's output-channel axis. */
const weightAxis: Record<string, { input: number; axis: number }> = {
  Conv: { input: 1, axis: 0 },
  ConvTranspose: { input: 1, axis: 1 },
  Gemm: { input: 1, axis: 0 },
};

/** Ops that only reshape: a sigmoid gate stays a gate through them. */
const shapeOps = new Set(['Unsqueeze', 'Squeeze', 'Reshape', 'Flatten']);

/** Ops after which a sigmoid gate stays in [0, 1]: reshapes, and nearest or linear resizing (convex combinations). */
function gateKeepingOps(n: NodeProto): boolean {
  if (shapeOps.has(n.op_type)) return true;
  const mode = n.attribute.find((a) => a.name === 'mode');
  const modeName = mode?.s ? new TextDecoder().decode(mode.s) : 'nearest';
  return n.op_type === 'Resize' && modeName !== 'cubic';
}

/**
 * Ops whose output values are some of their input's values, or (Resize) convex combinations of them: the
 * output keeps the input's uint8 range.
 */
const valueOps = new Set([...shapeOps, 'MaxPool', 'Transpose', 'Resize']);

function floatsOf(t: TensorProto): Float32Array {
  const raw = t.raw_data;
  const copy = new Uint8Array(raw.byteLength);
  copy.set(raw);
  return new Float32Array(copy.buffer);
}

function tensorProto(
  name: string,
  dataType: number,
  data: Float32Array | Int8Array | Uint8Array,
  dims: number[],
): TensorProto {
  const raw = new Uint8Array(data.buffer, data.byteOffset, data.byteLength).slice();
  return { name, dims, data_type: dataType, raw_data: raw };
}

/**
 * Per-channel symmetric int8 in the reduced range [-63, 63] (scale = max |w| / 63 per channel along `axis`), as
 * ONNX Runtime's quantizer does with reduce_range: uint8 x int8 products summed in pairs then fit in int16 on
 * CPUs without VNNI. With the full [-127, 127] range ONNX Runtime's fused integer convolutions saturated here
 * (PneumoniaMNIST AUROC 0.940 -> 0.861); with it, 0.9400 (int8 activations instead: accurate, but 1.4x slower
 * than fp32 on this CPU).
 */
function quantizeWeight(w: Float32Array, dims: number[], axis: number): { q: Int8Array; scales: Float32Array } {
  const channels = dims[axis];
  const inner = dims.slice(axis + 1).reduce((a, b) => a * b, 1);
  const outer = dims.slice(0, axis).reduce((a, b) => a * b, 1);
  const channelOf = (i: number) => Math.floor(i / inner) % channels;
  const maxAbs = new Float32Array(channels);
  for (let i = 0; i < w.length; i++) maxAbs[channelOf(i)] = Math.max(maxAbs[channelOf(i)], Math.abs(w[i]));
  const scales = Float32Array.from(maxAbs, (m) => (m > 0 ? m / 63 : 1));
  const q = new Int8Array(w.length);
  for (let i = 0; i < outer * channels * inner; i++)
    q[i] = Math.max(-63, Math.min(63, Math.round(w[i] / scales[channelOf(i)])));
  return { q, scales };
}

interface ActivationRange {
  scale: number;
  zeroPoint: number;
  percentile: number;
}

/** Sorted-sample percentiles -> an asymmetric uint8 range that contains 0. */
function percentileRange(sorted: Float32Array, percentile: number): ActivationRange {
  const at = (p: number) =>
    sorted[Math.min(sorted.length - 1, Math.max(0, Math.round((p / 100) * (sorted.length - 1))))];
  const lo = Math.min(0, at(100 - percentile));
  const hi = Math.max(0, at(percentile));
  const scale = hi > lo ? (hi - lo) / 255 : 1;
  return { scale, zeroPoint: Math.max(0, Math.min(255, Math.round(-lo / scale))), percentile };
}

/** Mean squared error of uint8 quantize-dequantize (rounding and clipping) over the values. */
function quantizationError(values: Float32Array, r: ActivationRange): number {
  let sum = 0;
  for (const v of values) {
    const q = Math.max(0, Math.min(255, Math.round(v / r.scale) + r.zeroPoint));
    const d = (q - r.zeroPoint) * r.scale - v;
    sum += d * d;
  }
  return sum / Math.max(1, values.length);
}

/** A tensor's range: the fixed percentile, or the candidate percentile with the least quantization error. */
function activationRange(sample: Float32Array, percentile: number | undefined): ActivationRange {
  const sorted = Float32Array.from(sample).sort();
  if (percentile !== undefined) return percentileRange(sorted, percentile);
  let best: { range: ActivationRange; error: number } | undefined;
  for (const p of rangePercentiles) {
    const range = percentileRange(sorted, p);
    const error = quantizationError(sorted, range);
    if (!best || error < best.error) best = { range, error };
  }
  return best!.range;
}

/**
 * The layers `floatEnds` keeps in float32: those reading the graph input, and those whose output reaches a
 * model output (not an `attention/` map) through weight-free ops only.
 */
function endLayers(model: ModelProto): Set<NodeProto> {
  const inputs = new Set(model.graph.input.map((i) => i.name));
  const outputs = new Set(model.graph.output.map((o) => o.name).filter((n) => !n.startsWith('attention/')));
  const { readers } = graphIndex(model);
  const seen = new Set<string>();
  const reachesOutput = (t: string): boolean => {
    if (outputs.has(t)) return true;
    if (seen.has(t)) return false;
    seen.add(t);
    return (readers.get(t) ?? []).some((n) => !(n.op_type in weightAxis) && n.output.some(reachesOutput));
  };
  return new Set(
    model.graph.node.filter((n) => {
      if (!(n.op_type in weightAxis)) return false;
      seen.clear();
      return inputs.has(n.input[0]) || n.output.some(reachesOutput);
    }),
  );
}

/** Runs the fp32 model with `tensors` as extra outputs over the batches; a regular subsample of each. */
async function observe(model: ModelProto, tensors: string[], batches: CalibrationBatch[], options: QuantizeOptions) {
  const probe: ModelProto = {
    ...model,
    graph: {
      ...model.graph,
      output: [
        ...model.graph.output,
        ...tensors
          .filter((t) => !model.graph.output.some((o) => o.name === t))
          .map((name) => ({ name, type: { tensor_type: { elem_type: DataType.FLOAT, shape: { dim: [] } } } })),
      ],
    },
  };
  // outputs of unknown shape: drop the empty shape so runtimes do not read it as a scalar
  for (const o of probe.graph.output.slice(model.graph.output.length))
    delete (o.type.tensor_type as { shape?: unknown }).shape;
  const ort = await onnxRuntime();
  const session = await ort.InferenceSession.create(encodeModel(probe), {
    intraOpNumThreads: options.threads ?? 2,
    interOpNumThreads: 1,
  });
  const budget = options.samplesPerTensor ?? 400_000;
  const perBatch = Math.ceil(budget / batches.length);
  const samples = new Map<string, number[]>(tensors.map((t) => [t, []]));
  try {
    for (const b of batches) {
      const result = await session.run(
        { [model.graph.input[0].name]: new ort.Tensor('float32', b.data, b.shape) },
        tensors,
      );
      for (const t of tensors) {
        const v = result[t].data as Float32Array;
        const step = Math.max(1, Math.floor(v.length / perBatch));
        const keep = samples.get(t)!;
        for (let i = 0; i < v.length; i += step) keep.push(v[i]);
      }
    }
  } finally {
    await session.release();
  }
  return samples;
}

/**
 * Tensors to quantize so that ONNX Runtime fuses the attention blocks' ops on quantized feature maps into its
 * integer kernels (QLinearMul, QLinearGlobalAveragePool, QLinearAdd, QLinearConv, uint8 MaxPool) instead of
 * dequantizing around float ops with NHWC transposes at each boundary; matched by op pattern, in topological
 * order (so CBAM's channel-gated map is quantized when its spatial gate is reached):
 * - x * sigmoid gate (SE, CBAM, ECA; the gate possibly reshaped) with x quantized: the gate gets the fixed range
 *   [0, 1] (scale 1/255, zero point 0: no calibration), the product a calibrated range;
 * - GlobalAveragePool of a quantized map (SE's and CBAM's channel means), MaxPool of one (its range is the
 *   input's, see `valueOps`), Add of two quantized maps (the non-local residual), a quantized map times a
 *   constant (the non-local gamma): calibrated outputs;
 * - a quantized-input convolution whose output is only reshaped, scaled by a constant, or added to a quantized
 *   map with no ReLU after the sum (the non-local block's embeddings for its matrix products, and its output
 *   convolution, gamma folded in at export);
 * - an attention gate's additive logits theta(x) + resize(phi(g)) before their ReLU (U-Net): both
 *   convolutions' outputs, the resize (which keeps phi's range) and the sum.
 * Gate logits entering a sigmoid stay float. Returns the fixed ranges; adds the rest to `quantized`.
 */
function attentionOnIntegers(
  model: ModelProto,
  quantized: Set<string>,
  targets: NodeProto[],
  initializers: Map<string, TensorProto>,
  graphOutputs: Set<string>,
): Map<string, ActivationRange> {
  const fixed = new Map<string, ActivationRange>();
  const { producers, readers } = graphIndex(model);
  const isGate = (t: string): boolean => {
    const p = producers.get(t);
    return !!p && (p.op_type === 'Sigmoid' || (gateKeepingOps(p) && isGate(p.input[0])));
  };
  const isQuantized = (t: string) => quantized.has(t);
  const isConstant = (t: string) => initializers.has(t);
  const scalesByConstant = (n: NodeProto) => n.op_type === 'Mul' && n.input.some(isConstant);
  const convs = new Set(targets.filter((n) => n.op_type === 'Conv'));
  // a residual sum with no activation after it (the non-local block's x + gamma W y, gamma folded into W)
  const plainResidual = (m: NodeProto, t: string) =>
    m.op_type === 'Add' &&
    m.input.length === 2 &&
    m.input.some((i) => i !== t && isQuantized(i)) &&
    !(readers.get(m.output[0]) ?? []).some((k) => k.op_type === 'Relu');
  const onlyReader = (t: string, m: NodeProto) => {
    const r = (readers.get(t) ?? []).filter((k) => k.op_type !== 'Shape'); // Shape reads the uint8 tensor
    return r.length === 1 && r[0] === m && !graphOutputs.has(t);
  };
  const convOf = (t: string) => {
    const p = producers.get(t);
    return p && convs.has(p) ? p : undefined;
  };
  // an attention gate's additive logits before their ReLU, theta(x) + resize(phi(g)) (U-Net): the two
  // convolutions' outputs and the resize, each read only on this path; returns those tensors
  const additiveLogits = (n: NodeProto): string[] | undefined => {
    const r = readers.get(n.output[0]) ?? [];
    if (r.length !== 1 || r[0].op_type !== 'Relu') return undefined;
    for (const [a, b] of [n.input, [...n.input].reverse()]) {
      const resize = producers.get(b);
      if (!convOf(a) || !onlyReader(a, n) || resize?.op_type !== 'Resize' || !onlyReader(b, n)) continue;
      const phi = resize.input[0];
      if (convOf(phi) && onlyReader(phi, resize)) return [a, phi, b];
    }
    return undefined;
  };
  for (const n of model.graph.node) {
    const out = n.output[0];
    if (graphOutputs.has(out)) continue;
    if (convs.has(n)) {
      const r = readers.get(out) ?? [];
      if (
        isQuantized(n.input[0]) &&
        r.length &&
        r.every((m) => m.op_type === 'Reshape' || scalesByConstant(m) || plainResidual(m, out))
      )
        quantized.add(out);
    } else if (n.op_type === 'GlobalAveragePool' || n.op_type === 'MaxPool') {
      if (isQuantized(n.input[0])) quantized.add(out);
    } else if (n.op_type === 'Add' && n.input.length === 2) {
      const logits = additiveLogits(n);
      if (logits) for (const t of logits) quantized.add(t);
      if (logits || n.input.every(isQuantized)) quantized.add(out);
    } else if (n.op_type === 'Mul' && n.input.length === 2) {
      const gate = n.input.findIndex(isGate);
      if (gate >= 0 && isQuantized(n.input[1 - gate])) {
        fixed.set(n.input[gate], { scale: 1 / 255, zeroPoint: 0, percentile: 100 });
        quantized.add(n.input[gate]);
        quantized.add(out);
      } else if (n.input.some(isQuantized) && n.input.some(isConstant)) quantized.add(out);
    }
  }
  return fixed;
}

/**
 * Tensors to quantize so that ONNX Runtime runs a U-Net decoder's up-sampling and skip concatenation on
 * integers: a Concat whose output is quantized (it feeds a convolution) gets quantized inputs (QLinearConcat)
 * where each input comes from a convolution through value ops (the up-convolution's pixel shuffle and resize,
 * see `upConvolutionsAsPixelShuffle`; the attention gate's W convolution), so those become integer convolutions
 * and the shuffle moves uint8 values. Adds them to `quantized`.
 */
function decoderOnIntegers(model: ModelProto, quantized: Set<string>, targets: NodeProto[], graphOutputs: Set<string>) {
  const { producers, readers } = graphIndex(model);
  const convs = new Set(targets.filter((n) => n.op_type === 'Conv'));
  // t and the tensors back to the convolution it comes from through value ops, each read by one op besides
  // Shape (Shape reads the uint8 tensor)
  const convChain = (t: string): string[] | undefined => {
    const p = producers.get(t);
    const read = (readers.get(t) ?? []).filter((m) => m.op_type !== 'Shape');
    if (!p || graphOutputs.has(t) || read.length !== 1) return undefined;
    if (convs.has(p)) return [t];
    const chain = valueOps.has(p.op_type) ? convChain(p.input[0]) : undefined;
    return chain && [...chain, t];
  };
  for (const n of model.graph.node) {
    if (n.op_type !== 'Concat' || !quantized.has(n.output[0])) continue;
    const chains = n.input.map((t) => (quantized.has(t) ? [] : convChain(t)));
    if (chains.every((c) => c !== undefined)) for (const t of chains.flat()) quantized.add(t);
  }
}

/** Quantizes an fp32 medattn ONNX model (bytes) with activation ranges from `calibration` batches. */
export async function quantizeModel(
  fp32: Uint8Array,
  calibration: CalibrationBatch[],
  options: QuantizeOptions = {},
): Promise<QuantizeResult> {
  if (!calibration.length) throw new ExportError('--int8: no calibration images');
  const ranges = options.ranges ?? 'percentile';
  const percentile = ranges === 'percentile' ? (options.percentile ?? 99.99) : undefined;
  if (percentile !== undefined && !(percentile > 50 && percentile <= 100))
    throw new ExportError(`--int8: percentile must be in (50, 100], got ${percentile}`);
  let model = decodeModel(fp32);
  if (options.decoder ?? true) model = upConvolutionsAsPixelShuffle(model);
  if (options.attention ?? true) model = poolBeforeChannelGates(model);
  const initializers = new Map(model.graph.initializer.map((t) => [t.name, t]));
  const float = options.floatEnds === false ? new Set<NodeProto>() : endLayers(model);
  const targets = model.graph.node.filter((n) => n.op_type in weightAxis && !float.has(n));
  // activations entering Conv/Gemm, and (so ONNX Runtime can fuse DQ -> Conv -> Q into an integer conv) the
  // output of every Conv whose only reader is a ReLU, taken after the ReLU; graph outputs stay float
  const graphOutputs = new Set(model.graph.output.map((o) => o.name));
  const readers = (t: string) => model.graph.node.filter((n) => n.input.includes(t));
  const quantizedTensors = new Set(targets.map((n) => n.input[0]).filter((t) => !initializers.has(t)));
  if (options.outputs ?? true)
    for (const conv of model.graph.node.filter((n) => n.op_type === 'Conv')) {
      const out = conv.output[0];
      const r = readers(out);
      // feature convolutions (conv-BN-ReLU) here; gate logits before a sigmoid keep float outputs (quantizing
      // every attention convolution cost 0.08 AUROC once); attentionOnIntegers adds the non-local ones
      if (r.length !== 1 || r[0].op_type !== 'Relu') continue;
      const target = r[0].output[0];
      if (!graphOutputs.has(target)) quantizedTensors.add(target);
    }
  const fixedRanges =
    (options.attention ?? true)
      ? attentionOnIntegers(model, quantizedTensors, targets, initializers, graphOutputs)
      : new Map<string, ActivationRange>();
  if (options.decoder ?? true) decoderOnIntegers(model, quantizedTensors, targets, graphOutputs);
  const activations = [...quantizedTensors];
  const samples = await observe(
    model,
    activations.filter((t) => !fixedRanges.has(t)),
    calibration,
    options,
  );

  const added: TensorProto[] = [];
  const nodes: NodeProto[] = [];
  const dequantized = new Map<string, string>();
  const qdq = (tensor: string, scale: string, zeroPoint: string, axis?: number): string => {
    const q = `${tensor}/quantized`;
    const dq = `${tensor}/dequantized`;
    const attrs = axis === undefined ? [] : [{ name: 'axis', type: 2, i: axis }];
    if (!initializers.has(tensor))
      nodes.push({
        name: `${tensor}/QuantizeLinear`,
        op_type: 'QuantizeLinear',
        input: [tensor, scale, zeroPoint],
        output: [q],
        attribute: [],
      });
    nodes.push({
      name: `${tensor}/DequantizeLinear`,
      op_type: 'DequantizeLinear',
      input: [initializers.has(tensor) ? tensor : q, scale, zeroPoint],
      output: [dq],
      attribute: attrs,
    });
    return dq;
  };
  const chosen: Record<string, number> = {};
  const rangeOf = new Map<string, ActivationRange>();
  let sharedRanges = 0;
  const quantizeActivation = (t: string, producer?: NodeProto) => {
    // an op that only selects or moves values (MaxPool, reshapes) of a quantized tensor keeps its range, so
    // ONNX Runtime runs it on uint8 (with a different range it dequantizes, pools in float and requantizes)
    const inherited =
      producer && valueOps.has(producer.op_type) && !fixedRanges.has(t) ? rangeOf.get(producer.input[0]) : undefined;
    const fixed = fixedRanges.get(t) ?? inherited;
    const range = fixed ?? activationRange(Float32Array.from(samples.get(t)!), percentile);
    const { scale, zeroPoint, percentile: p } = range;
    rangeOf.set(t, range);
    if (inherited) sharedRanges++;
    else if (!fixed) chosen[p] = (chosen[p] ?? 0) + 1;
    added.push(tensorProto(`${t}/scale`, DataType.FLOAT, Float32Array.of(scale), []));
    added.push(tensorProto(`${t}/zero_point`, DataType.UINT8, Uint8Array.of(zeroPoint), []));
    dequantized.set(t, qdq(t, `${t}/scale`, `${t}/zero_point`));
  };
  for (const input of model.graph.input) if (quantizedTensors.has(input.name)) quantizeActivation(input.name);
  let weights = 0;
  const quantizedWeights = new Set<string>();
  for (const node of model.graph.node) {
    const spec = float.has(node) ? undefined : weightAxis[node.op_type];
    // Shape reads the uint8 tensor: ONNX Runtime would otherwise dequantize a whole map for its shape
    const inputs = node.input.map((t) =>
      !quantizedTensors.has(t) ? t : node.op_type === 'Shape' ? `${t}/quantized` : dequantized.get(t)!,
    );
    if (spec) {
      const wName = inputs[spec.input];
      const w = initializers.get(wName);
      if (w && w.data_type === DataType.FLOAT && !quantizedWeights.has(wName)) {
        const dims = w.dims.map(Number);
        const { q, scales } = quantizeWeight(floatsOf(w), dims, spec.axis);
        initializers.set(wName, tensorProto(wName, DataType.INT8, q, dims));
        added.push(tensorProto(`${wName}/scale`, DataType.FLOAT, scales, [scales.length]));
        added.push(tensorProto(`${wName}/zero_point`, DataType.INT8, new Int8Array(scales.length), [scales.length]));
        dequantized.set(wName, qdq(wName, `${wName}/scale`, `${wName}/zero_point`, spec.axis));
        quantizedWeights.add(wName);
        weights++;
      }
      if (dequantized.has(wName)) inputs[spec.input] = dequantized.get(wName)!;
    }
    nodes.push({ ...node, input: inputs });
    for (const out of node.output) if (quantizedTensors.has(out)) quantizeActivation(out, node);
  }
  const quantized: ModelProto = {
    ...model,
    doc_string:
      `${model.doc_string ?? ''} (int8 QDQ: per-channel symmetric weights, activation ranges ${percentile === undefined ? 'by least squared error' : `at the ${percentile} percentile`})`.trim(),
    graph: { ...model.graph, node: nodes, initializer: [...initializers.values(), ...added] },
    metadata_props: [
      ...model.metadata_props.filter((p) => !p.key.startsWith('medattn.int8')),
      {
        key: 'medattn.int8',
        value: JSON.stringify({
          scheme: 'qdq',
          weights: 'int8 per-channel symmetric, range [-63, 63]',
          activations: 'uint8 asymmetric',
          ranges: percentile === undefined ? 'mse' : 'percentile',
          // tensors per chosen upper percentile
          percentiles: chosen,
          float_layers: float.size,
          // sigmoid gates quantized with the fixed range [0, 1]
          gates: fixedRanges.size,
          // tensors that keep their input's range (MaxPool, reshapes of a quantized tensor)
          shared_ranges: sharedRanges,
          calibration_images: calibration.reduce((a, b) => a + b.shape[0], 0),
        }),
      },
    ],
  };
  return {
    bytes: encodeModel(quantized),
    weights,
    activations: activations.length,
    floatLayers: [...float].map((n) => n.input[1]),
  };
}
