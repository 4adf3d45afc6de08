// poolBeforeChannelGates (used by the int8 quantizer): in configs/pneumoniamnist.json's attention CNN the SE
// stage's MaxPool(x * gate) becomes MaxPool(x) * gate, with the same outputs in float (ONNX Runtime, every
// output); CBAM's channel-gated map, read by its spatial gate too, is left as it is.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { decodeModel, encodeModel, exportModel, type ModelProto } from '../../src/export/index.js';
import { poolBeforeChannelGates } from '../../src/export/pool-before-gate.js';
import { randn } from '../../src/tensor/index.js';
import { maxAbsDiff, ortOutputs, shippedAttentionCnn } from './onnx-reference.js';

/** Which op produces each input of the node named `name`. */
function inputOps(m: ModelProto, name: string): string[] {
  const producers = new Map(m.graph.node.flatMap((n) => n.output.map((o) => [o, n.op_type] as const)));
  const node = m.graph.node.find((n) => n.name === name)!;
  return node.input.map((t) => producers.get(t) ?? 'input');
}

test('attention CNN: the SE stage pools before its gate product, outputs unchanged', async () => {
  const model = shippedAttentionCnn(31);
  const fp32 = exportModel(model, { inputShape: [1, 28, 28] });
  model.dispose();
  const before = decodeModel(fp32.bytes);
  const after = poolBeforeChannelGates(before);
  assert.equal(after.graph.node.length, before.graph.node.length);
  assert.deepEqual(inputOps(before, 'stages.0.attention/Mul'), ['Relu', 'Unsqueeze']);
  assert.deepEqual(inputOps(after, 'stages.0.attention/Mul'), ['MaxPool', 'Unsqueeze']);
  // CBAM's products keep their order (the channel-gated map also feeds the spatial gate)
  const products = (m: ModelProto) =>
    m.graph.node.filter((n) => n.name.startsWith('stages.1.attention') && n.op_type === 'Mul').map((n) => n.input);
  assert.deepEqual(products(after), products(before));
  const shape = [8, 1, 28, 28];
  const x = randn(shape);
  const data = x.toFloat32Array();
  x.dispose();
  const want = await ortOutputs(fp32.bytes, data, shape);
  const have = await ortOutputs(encodeModel(after), data, shape);
  for (const [name, w] of want) {
    const d = maxAbsDiff(have.get(name)!, w);
    // a positive per-channel factor commutes with a max: expected exactly equal
    assert.ok(d < 1e-6, `${name}: max abs diff ${d}`);
  }
});
