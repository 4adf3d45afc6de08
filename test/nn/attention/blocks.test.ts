// Attention blocks: shapes, value ranges, gradients, identity at initialisation, and the factory.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { F, manualSeed, ones, randn, tensor, tidy, zeros, type Tensor } from '../../../src/tensor/index.js';
import {
  AttentionBlock,
  AttentionGate,
  ECA,
  MultiHeadAttention,
  NonLocal,
  ScaledDotProductAttention,
  SpatialSelfAttention,
  attentionNames,
  createAttention,
  ecaKernelSize,
  featureAttentionNames,
  type Module,
} from '../../../src/nn/index.js';

manualSeed(0);

function assertAllGrads(m: Module, what: string): void {
  for (const [name, p] of m.namedParameters()) {
    const g = p.grad;
    assert.ok(g, `${what}: parameter ${name} has no gradient`);
    assert.deepEqual(g.shape, p.shape);
    assert.ok(!g.isnan().any().item(), `${what}: ${name} gradient has NaN`);
  }
}

function inRange(t: Tensor, lo: number, hi: number): boolean {
  return t.min().item() >= lo && t.max().item() <= hi;
}

test('factory builds every feature block by name; output shape = input shape (2D, 3D, several channel counts)', () => {
  for (const name of featureAttentionNames) {
    for (const c of [4, 16, 48]) {
      for (const dims of [2, 3] as const) {
        tidy(() => {
          const block = createAttention(name, c, { reduction: 4, spatialDims: dims, kernelSize: dims === 3 ? 3 : 7 });
          const x = randn(dims === 2 ? [2, c, 7, 6] : [2, c, 5, 4, 3]);
          const y = block.forward(x) as Tensor;
          assert.deepEqual(y.shape, x.shape, `${name} C=${c} ${dims}D`);
          block.dispose();
        });
      }
    }
  }
  assert.throws(() => createAttention('nope' as never, 8), /unknown attention 'nope'/);
  assert.ok(attentionNames.includes('attention_gate') && attentionNames.includes('multihead'));
});

test('recorded attention: sigmoid maps and channel weights in [0, 1], softmax-based spatial maps sum to 1', () => {
  for (const name of featureAttentionNames.filter((n) => n !== 'none')) {
    tidy(() => {
      const block = createAttention(name, 16, { reduction: 4 }) as AttentionBlock;
      const blocks = [block, ...[...block.namedModules()].map(([, m]) => m)].filter(
        (m): m is AttentionBlock => m instanceof AttentionBlock,
      );
      for (const b of blocks) b.captureAttention = true;
      block.forward(randn([3, 16, 6, 5]));
      const maps = blocks.flatMap((b) => Object.entries(b.attention));
      assert.ok(maps.length > 0, `${name} records a map`);
      for (const [kind, map] of maps) {
        if (kind === 'channel') assert.deepEqual(map!.shape, [3, 16], name);
        else assert.deepEqual(map!.shape, [3, 1, 6, 5], name);
        assert.ok(inRange(map!, 0, 1), `${name} ${kind} in [0, 1]`);
        if ((name === 'nonlocal' || name === 'mhsa') && kind === 'spatial') {
          // mean over queries of softmax rows: the received attention of all positions sums to 1
          const sums = map!.sum([1, 2, 3]).toFloat32Array();
          for (const s of sums) assert.ok(Math.abs(s - 1) < 1e-5, `${name} sums to ${s}`);
        }
      }
      for (const b of blocks) b.clearAttention();
      block.dispose();
    });
  }
});

test('every parameter of every block receives a gradient', () => {
  for (const name of featureAttentionNames.filter((n) => n !== 'none')) {
    tidy(() => {
      const block = createAttention(name, 8, { reduction: 2 });
      // residual-scaled blocks start at gamma = 0, where the inner weights get zero (but present) gradients
      const x = randn([2, 8, 5, 5], { requiresGrad: true });
      (block.forward(x) as Tensor).square().sum().backward();
      assertAllGrads(block, name);
      block.dispose();
    });
  }
  tidy(() => {
    const gate = new AttentionGate(8, { gatingChannels: 12, spatialDims: 3 });
    gate
      .forward(randn([2, 8, 6, 6, 4]), randn([2, 12, 3, 3, 2]))
      .square()
      .sum()
      .backward();
    assertAllGrads(gate, 'attention_gate 3D');
    const mha = new MultiHeadAttention(16, { numHeads: 4 });
    const q = randn([2, 5, 16]);
    const kv = randn([2, 3, 16]);
    mha.forward(q, kv, kv).output.square().sum().backward();
    assertAllGrads(mha, 'multihead cross');
    gate.dispose();
    mha.dispose();
  });
});

test('non-local and spatial self-attention are the identity at initialisation', () => {
  tidy(() => {
    for (const block of [new NonLocal(16), new NonLocal(8, { spatialDims: 3 }), new SpatialSelfAttention(16)]) {
      const x = randn(block instanceof NonLocal && block.theta.weight.ndim === 5 ? [2, 8, 4, 3, 5] : [2, 16, 6, 7]);
      const y = block.forward(x);
      assert.equal(F.l1Loss(y, x, 'sum').item(), 0);
      block.dispose();
    }
  });
});

test('ECA kernel size adapts to the channel count (odd, |(log2 C + 1) / 2|)', () => {
  assert.deepEqual(
    [16, 32, 64, 128, 256, 512, 1024].map((c) => ecaKernelSize(c)),
    [3, 3, 3, 5, 5, 5, 5],
  );
  assert.equal(new ECA(256).conv.weight.shape[2], 5);
  assert.throws(() => new ECA(64, { kernelSize: 4 }), /odd/);
});

test('attention gate: coefficients in [0, 1] at the skip resolution, 2D and 3D', () => {
  tidy(() => {
    for (const [dims, xs, gs] of [
      [2, [2, 8, 16, 12], [2, 32, 8, 6]],
      [2, [1, 8, 15, 11], [1, 32, 8, 6]],
      [3, [1, 4, 8, 8, 6], [1, 16, 4, 4, 3]],
    ] as [2 | 3, number[], number[]][]) {
      const gate = new AttentionGate(xs[1], { gatingChannels: gs[1], spatialDims: dims });
      gate.captureAttention = true;
      const y = gate.forward(randn(xs), randn(gs));
      assert.deepEqual(y.shape, xs);
      const a = gate.attention.spatial!;
      assert.deepEqual(a.shape, [xs[0], 1, ...xs.slice(2)]);
      assert.ok(inRange(a, 0, 1));
      gate.clearAttention();
      gate.dispose();
    }
  });
});

test('scaled dot-product attention: rows of the weights sum to 1, masks block keys', () => {
  tidy(() => {
    const sdpa = new ScaledDotProductAttention();
    const q = randn([2, 3, 4, 8]);
    const k = randn([2, 3, 6, 8]);
    const v = randn([2, 3, 6, 5]);
    const mask = tensor([[true, true, true, false, false, true]]).gt(0.5); // [1, 6] broadcast to [.., 4, 6]
    const { output, weights } = sdpa.forward(q, k, v, { mask, returnWeights: true });
    assert.deepEqual(output.shape, [2, 3, 4, 5]);
    assert.deepEqual(weights!.shape, [2, 3, 4, 6]);
    for (const s of weights!.sum(-1).toFloat32Array()) assert.ok(Math.abs(s - 1) < 1e-6);
    assert.equal(weights!.narrow(-1, 3, 2).abs().sum().item(), 0);
    // softmax(QK^T / sqrt(d)) V by hand
    const manual = q
      .matmul(k.transpose(-2, -1))
      .div(Math.sqrt(8))
      .add(zeros([6]).maskedFill(mask.logicalNot(), -Infinity))
      .softmax(-1)
      .matmul(v);
    assert.ok(F.l1Loss(manual, output).item() < 1e-6);
  });
});

test('multi-head attention: shapes, torch parameter names and init, masks, weights sum to 1', () => {
  tidy(() => {
    const mha = new MultiHeadAttention(32, { numHeads: 4 });
    assert.deepEqual(
      [...mha.stateDict()].map(([k, v]) => `${k}:${v.shape}`),
      ['in_proj_weight:96,32', 'in_proj_bias:96', 'out_proj.weight:32,32', 'out_proj.bias:32'],
    );
    assert.equal(mha.inProjBias!.abs().sum().item(), 0);
    assert.equal(mha.outProj.bias!.abs().sum().item(), 0);
    const bound = Math.sqrt(6 / (32 + 96));
    assert.ok(mha.inProjWeight.abs().max().item() <= bound);
    const x = randn([3, 7, 32]);
    const pad = zeros([3, 7]).gt(0); // no padding ...
    const padded = aPad(pad); // ... except the last two keys of sample 0
    const { output, weights } = mha.forward(x, x, x, { keyPaddingMask: padded, needWeights: true });
    assert.deepEqual(output.shape, [3, 7, 32]);
    assert.deepEqual(weights!.shape, [3, 7, 7]);
    for (const s of weights!.sum(-1).toFloat32Array()) assert.ok(Math.abs(s - 1) < 1e-5);
    assert.equal(weights!.select(0, 0).narrow(-1, 5, 2).abs().sum().item(), 0);
    const perHead = mha.forward(x, randn([3, 4, 32]), undefined, { needWeights: true, averageWeights: false }).weights!;
    assert.deepEqual(perHead.shape, [3, 4, 7, 4]);
    // sequence-first layout, as PyTorch's default
    const seqFirst = new MultiHeadAttention(32, { numHeads: 4, batchFirst: false });
    seqFirst.loadStateDict(mha.stateDict());
    const y2 = seqFirst.forward(x.transpose(0, 1)).output.transpose(0, 1);
    assert.ok(F.l1Loss(y2, mha.forward(x).output).item() < 1e-6);
    assert.throws(() => new MultiHeadAttention(30, { numHeads: 4 }), /divisible/);
    mha.dispose();
    seqFirst.dispose();
  });
});

function aPad(pad: Tensor): Tensor {
  const m = ones([3, 7]).mul(0);
  const row = m.select(0, 0);
  row.narrow(0, 5, 2).fill_(1);
  return m.gt(0.5).logicalOr(pad);
}
