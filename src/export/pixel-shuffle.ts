/**
 * Rewrites the U-Net's 2x up-convolutions (2D ConvTranspose, square kernel k = stride, no padding, one group)
 * as a 1x1 Conv to k * k * C_out channels and a pixel shuffle, for the int8 model: each input pixel fills its
 * own k x k output block, so the sums are the same, but ONNX Runtime runs a quantized 1x1 Conv on its integer
 * kernels (a transposed convolution stays float there) and the shuffle moves uint8 values.
 *
 * The shuffle is written channels-last, the layout ONNX Runtime's integer convolutions use: Transpose to
 * [N, H, W, k*k*C] (which cancels the transpose ONNX Runtime puts after its NHWC QLinearConv), Reshape to
 * [N, H, W, k, k*C], swap H-rows with the k block rows (copies of k*C contiguous values; channel (i, j, c) is
 * at (i*k + j)*C + c), Reshape to [N, H*k, W*k, C], Transpose back to NCHW. ONNX's DepthToSpace does the same in
 * NCHW, one value at a time: on the Attention U-Net it took as long as the float ConvTranspose.
 */
import { AttributeType, DataType, type ModelProto, type NodeProto, type TensorProto } from './onnx-proto.js';

const attr = (n: NodeProto, name: string) => n.attribute.find((a) => a.name === name);
const intsOf = (n: NodeProto, name: string) => (attr(n, name)?.ints ?? []).map(Number);
const intsAttr = (name: string, v: number[]) => ({ name, type: AttributeType.INTS, ints: v });

function floats(t: TensorProto): Float32Array {
  const copy = new Uint8Array(t.raw_data.byteLength);
  copy.set(t.raw_data);
  return new Float32Array(copy.buffer);
}

const tensor = (name: string, dataType: number, data: Float32Array | BigInt64Array, dims: number[]): TensorProto => ({
  name,
  dims,
  data_type: dataType,
  raw_data: new Uint8Array(data.buffer, data.byteOffset, data.byteLength).slice(),
});
const int64s = (name: string, v: number[]) =>
  tensor(name, DataType.INT64, BigInt64Array.from(v.map((x) => BigInt(x))), [v.length]);

/** The up-convolution's kernel size k, when `n` is one this rewrite covers. */
function upKernel(n: NodeProto, weights: Map<string, TensorProto>): number | undefined {
  const w = weights.get(n.input[1]);
  if (n.op_type !== 'ConvTranspose' || !w || w.data_type !== DataType.FLOAT || w.dims.length !== 4) return;
  const [kh, kw] = w.dims.slice(2).map(Number);
  const all = (v: number[], d: number) => v.every((e) => e === d);
  const ok =
    kh === kw &&
    kh >= 2 &&
    Number(attr(n, 'group')?.i ?? 1) === 1 &&
    all(intsOf(n, 'strides'), kh) &&
    intsOf(n, 'strides').length === 2 &&
    all(intsOf(n, 'pads'), 0) &&
    all(intsOf(n, 'dilations'), 1) &&
    all(intsOf(n, 'output_padding'), 0) &&
    !attr(n, 'output_shape') &&
    !attr(n, 'auto_pad');
  return ok ? kh : undefined;
}

/** The model with each covered ConvTranspose replaced (a new graph; the input model is not changed). */
export function upConvolutionsAsPixelShuffle(model: ModelProto): ModelProto {
  const weights = new Map(model.graph.initializer.map((t) => [t.name, t]));
  const nodes: NodeProto[] = [];
  const added: TensorProto[] = [];
  const replaced = new Set<string>();
  const bases = new Set<string>();
  // constants every shuffle reads: the spatial dims' slice of a shape, and Reshape's "copy the batch" 0
  const shared = {
    spatial: 'pixel_shuffle/spatial_from',
    end: 'pixel_shuffle/spatial_to',
    batch: 'pixel_shuffle/batch',
  };
  for (const n of model.graph.node) {
    const k = upKernel(n, weights);
    if (k === undefined) {
      nodes.push(n);
      continue;
    }
    const w = weights.get(n.input[1])!;
    const [cin, cout] = w.dims.map(Number);
    const k2 = k * k;
    const src = floats(w); // [cin, cout, k, k]
    const w2 = new Float32Array(src.length); // [k*k*cout, cin, 1, 1], channel (i*k + j) * cout + c
    for (let i = 0; i < cin; i++)
      for (let c = 0; c < cout; c++)
        for (let r = 0; r < k2; r++) w2[(r * cout + c) * cin + i] = src[(i * cout + c) * k2 + r];
    // short names (the module's, e.g. decoder.0.up/shuffle_conv): each reappears in its Q/DQ nodes in the file
    const module = (n.name || n.output[0]).split('/')[0];
    let base = module;
    for (let i = 1; bases.has(base); i++) base = `${module}_${i}`;
    bases.add(base);
    const t = (suffix: string) => `${base}/shuffle_${suffix}`;
    added.push(tensor(t('weight'), DataType.FLOAT, w2, [k2 * cout, cin, 1, 1]));
    const convInputs = [n.input[0], t('weight')];
    const bias = n.input[2] ? weights.get(n.input[2]) : undefined;
    if (bias) {
      const b = floats(bias);
      added.push(
        tensor(
          t('bias'),
          DataType.FLOAT,
          Float32Array.from({ length: k2 * cout }, (_, j) => b[j % cout]),
          [k2 * cout],
        ),
      );
      convInputs.push(t('bias'));
    }
    added.push(int64s(t('blocks'), [0, 0, 0, k, k * cout]), int64s(t('k'), [k, k]), int64s(t('channels'), [cout]));
    const node = (op: string, input: string[], out: string, attribute: NodeProto['attribute'] = []): NodeProto => ({
      name: t(out),
      op_type: op,
      input,
      output: [t(out)],
      attribute,
    });
    nodes.push(
      node('Conv', convInputs, 'conv', [intsAttr('kernel_shape', [1, 1])]),
      node('Transpose', [t('conv')], 'nhwc', [intsAttr('perm', [0, 2, 3, 1])]),
      node('Reshape', [t('nhwc'), t('blocks')], 'blocks_view'),
      node('Transpose', [t('blocks_view')], 'rows', [intsAttr('perm', [0, 1, 3, 2, 4])]),
      // [N, H*k, W*k, C] from the input's H and W
      node('Shape', [n.input[0]], 'input_shape'),
      node('Slice', [t('input_shape'), shared.spatial, shared.end], 'hw'),
      node('Mul', [t('hw'), t('k')], 'hw_up'),
      node('Concat', [shared.batch, t('hw_up'), t('channels')], 'up_shape', [
        { name: 'axis', type: AttributeType.INT, i: 0 },
      ]),
      node('Reshape', [t('rows'), t('up_shape')], 'up_nhwc'),
    );
    nodes.push({
      name: t('nchw'),
      op_type: 'Transpose',
      input: [t('up_nhwc')],
      output: [n.output[0]],
      attribute: [intsAttr('perm', [0, 3, 1, 2])],
    });
    replaced.add(n.input[1]);
    if (n.input[2]) replaced.add(n.input[2]);
  }
  if (!replaced.size) return model;
  added.push(int64s(shared.spatial, [2]), int64s(shared.end, [4]), int64s(shared.batch, [0]));
  const stillRead = new Set(nodes.flatMap((n) => n.input));
  const initializer = [
    ...model.graph.initializer.filter((i) => !replaced.has(i.name) || stillRead.has(i.name)),
    ...added,
  ];
  return { ...model, graph: { ...model.graph, node: nodes, initializer } };
}
