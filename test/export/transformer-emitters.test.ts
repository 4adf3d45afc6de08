// The MultiHeadAttention emitter on its own, as cross-attention (queries from one token set, keys and values
// from another, different lengths): ONNX Runtime's output equals libtorch's MultiHeadAttention within 1e-4, and
// the graph passes ONNX's full checker. (Self-attention is covered through the mhsa block and the ViT.)
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import * as ort from 'onnxruntime-node';
import { DataType, encodeModel, type ValueInfoProto } from '../../src/export/onnx-proto.js';
import { GraphBuilder } from '../../src/export/graph-builder.js';
import { emit, type EmitContext } from '../../src/export/layer-emitters.js';
import '../../src/export/transformer-emitters.js';
import { MultiHeadAttention } from '../../src/nn/index.js';
import { manualSeed, noGrad, randn, tidy } from '../../src/tensor/index.js';
import { maxAbsDiff, onnxCheck } from './onnx-reference.js';

const dir = mkdtempSync(join(tmpdir(), 'medattn-mha-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const tokens = (name: string, len: string, e: number): ValueInfoProto => ({
  name,
  type: {
    tensor_type: {
      elem_type: DataType.FLOAT,
      shape: { dim: [{ dim_param: 'batch' }, { dim_param: len }, { dim_value: e }] },
    },
  },
});

test('cross-attention (L=5 queries on S=7 keys, 4 heads): ONNX Runtime equals libtorch within 1e-4', async () => {
  manualSeed(21);
  const e = 16;
  const m = new MultiHeadAttention(e, { numHeads: 4 });
  noGrad(() => {
    for (const [, t] of m.stateDict()) tidy(() => t.add_(randn(t.shape).mul(0.1)));
  });
  m.eval();
  const g = new GraphBuilder();
  const ctx: EmitContext = { g, input: g.reserve('query'), spatialDims: 1, maps: new Map() };
  const memory = g.reserve('memory');
  const out = g.rename(emit(ctx, m, 'cross', ['query', memory, memory]), 'output');
  const bytes = encodeModel({
    ir_version: 8,
    opset_import: [{ domain: '', version: 17 }],
    producer_name: 'medattn-test',
    producer_version: '0',
    doc_string: '',
    graph: {
      name: 'cross_attention',
      node: g.nodes,
      initializer: g.initializers,
      input: [tokens('query', 'L', e), tokens('memory', 'S', e)],
      output: [tokens(out, 'L', e)],
    },
    metadata_props: [],
  });
  const path = join(dir, 'cross.onnx');
  writeFileSync(path, bytes);
  assert.equal(onnxCheck(path), '');
  const { q, kv, want } = tidy(() => {
    const qt = randn([2, 5, e]);
    const kvt = randn([2, 7, e]);
    return {
      q: qt.toFloat32Array(),
      kv: kvt.toFloat32Array(),
      want: noGrad(() => m.forward(qt, kvt, kvt).output.toFloat32Array()),
    };
  });
  const session = await ort.InferenceSession.create(bytes);
  const got = await session.run({
    query: new ort.Tensor('float32', q, [2, 5, e]),
    memory: new ort.Tensor('float32', kv, [2, 7, e]),
  });
  await session.release();
  const d = maxAbsDiff(got.output.data as Float32Array, want);
  assert.ok(d < 1e-4, `max abs diff ${d}`);
  console.log('cross-attention max abs diff', d);
});
