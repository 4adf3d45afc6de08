// The Tensor API's own behaviour: data in and out, dtypes, autograd state, scopes, errors, seeds, threads.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  cudaAvailable,
  F,
  getNumThreads,
  liveTensors,
  manualSeed,
  noGrad,
  ones,
  rand,
  randint,
  randn,
  randperm,
  setNumThreads,
  tensor,
  tidy,
  keep,
  zeros,
} from '../../src/tensor/index.js';

test('typed arrays round-trip for every dtype', () => {
  assert.deepEqual(Array.from(tensor(new Float32Array([1.5, -2])).toArray() as ArrayLike<number>), [1.5, -2]);
  assert.deepEqual(Array.from(tensor(new Float64Array([1e-300])).toArray() as ArrayLike<number>), [1e-300]);
  assert.deepEqual(Array.from(tensor(new Int32Array([-7, 8])).toArray() as ArrayLike<number>), [-7, 8]);
  assert.deepEqual(Array.from(tensor(new BigInt64Array([2n ** 40n])).toArray() as ArrayLike<number>), [2n ** 40n]);
  assert.deepEqual(Array.from(tensor(new Uint8Array([0, 255])).toArray() as ArrayLike<number>), [0, 255]);
  assert.deepEqual(Array.from(tensor([0, 1, 2], { dtype: 'bool' }).toArray() as ArrayLike<number>), [0, 1, 1]);
  // bfloat16 keeps 8 mantissa bits: 1 + 2^-8 rounds to 1, 1 + 2^-7 survives.
  assert.deepEqual(
    Array.from(tensor([1 + 2 ** -8, 1 + 2 ** -7], { dtype: 'bfloat16' }).toArray() as ArrayLike<number>),
    [1, 1 + 2 ** -7],
  );
  assert.equal(tensor([1], { dtype: 'bfloat16' }).dtype, 'bfloat16');
});

test('nested arrays infer the shape; toList gives it back', () => {
  const t = tensor([
    [1, 2, 3],
    [4, 5, 6],
  ]);
  assert.deepEqual(t.shape, [2, 3]);
  assert.equal(t.dtype, 'float32');
  assert.deepEqual(t.toList(), [
    [1, 2, 3],
    [4, 5, 6],
  ]);
  assert.throws(() => tensor([1, 2, 3], { shape: [2, 2] }), /shape \[2,2\] needs 4/);
});

test('a typed array passed in is copied, the zero-copy view aliases the tensor', () => {
  const src = new Float32Array([1, 2, 3]);
  const t = tensor(src);
  src[0] = 100;
  assert.equal(t.toArray()[0], 1);
  const view = t.dataView() as Float32Array;
  noGrad(() => t.mul_(2));
  assert.equal(view[1], 4);
});

test('autograd: requiresGrad, grad, detach, isLeaf, backward with a gradient', () => {
  const x = tensor([1, 2, 3], { requiresGrad: true });
  const y = x.mul(x);
  assert.equal(x.isLeaf, true);
  assert.equal(y.isLeaf, false);
  assert.equal(y.detach().requiresGrad, false);
  y.backward(tensor([1, 0.5, 0]));
  assert.deepEqual(Array.from(x.grad!.toArray() as ArrayLike<number>), [2, 2, 0]);
  x.grad = undefined;
  assert.equal(x.grad, undefined);
  assert.throws(() => y.backward(), /not a scalar|does not require grad|backward/);
  assert.throws(() => tensor([1]).backward(), /does not require grad/);
});

test('noGrad scope records no graph and restores the mode', () => {
  const x = tensor([1, 2], { requiresGrad: true });
  const y = noGrad(() => x.mul(2));
  assert.equal(y.requiresGrad, false);
  assert.equal(x.mul(2).requiresGrad, true);
});

test('tidy disposes temporaries and keeps what it returns', () => {
  const before = liveTensors();
  const kept = tidy(() => {
    const a = ones([100]);
    const b = a.mul(3);
    keep(zeros([1])).dispose();
    return { result: b.add(1), list: [a.sum()] };
  });
  assert.equal(liveTensors() - before, 2);
  assert.equal(kept.result.toArray()[0], 4);
  assert.equal(kept.list[0].item(), 100);
  kept.result.dispose();
  kept.list[0].dispose();
  assert.equal(liveTensors(), before);
  assert.throws(() => kept.result.toArray(), /already disposed/);
});

test('tidy disposes temporaries when the function throws', () => {
  const before = liveTensors();
  assert.throws(
    () =>
      tidy(() => {
        ones([3]).mul(2);
        throw new Error('boom');
      }),
    /boom/,
  );
  assert.equal(liveTensors(), before);
});

test('errors name the op and the input shapes in one line', () => {
  const a = ones([2, 3]);
  const b = ones([4, 5]);
  const cases: [() => unknown, RegExp][] = [
    [() => a.matmul(b), /^aten::matmul: .*\(inputs: self \[2, 3\] float32, other \[4, 5\] float32\)$/],
    [
      () => F.conv2d(ones([1, 3, 8, 8]), ones([4, 2, 3, 3])),
      /^aten::conv2d: .*expected input\[1, 3, 8, 8\] to have 2 channels.*weight \[4, 2, 3, 3\]/,
    ],
    [() => a.add(b), /^aten::add.Tensor: The size of tensor a \(3\) must match the size of tensor b \(5\)/],
    [() => F.crossEntropy(ones([2, 3]), ones([2, 3], { dtype: 'int64' })), /^aten::cross_entropy_loss: .*int64|Long/],
    [() => a.reshape(7), /^aten::reshape: shape '\[7\]' is invalid for input of size 6/],
    [() => F.embedding(ones([3, 2]), tensor([5], { dtype: 'int64' })), /^aten::embedding: index out of range/],
  ];
  for (const [fn, pattern] of cases) {
    assert.throws(fn, (e: Error) => {
      assert.match(e.message, pattern);
      assert.ok(!e.message.includes('\n'), `multi-line message: ${e.message}`);
      return true;
    });
  }
});

test('a missing CUDA device is a clear error, not a crash', { skip: cudaAvailable() }, () => {
  assert.throws(() => ones([2], { device: 'cuda' }), /medattn: device 'cuda' requested, but libtorch has no CUDA here/);
  assert.throws(() => ones([2]).to('cuda:0'), /medattn: device 'cuda:0' requested/);
  assert.throws(() => ones([2]).to('gpu' as 'cuda'), /unknown dtype or device 'gpu'/);
});

test('wrong argument types are caught before libtorch', () => {
  assert.throws(() => ones([2]).reshape(1.5), /argument 'shape' expects an integer/);
});

test('manualSeed makes random draws bit-reproducible', () => {
  manualSeed(1234);
  const a = [rand([5]).toArray(), randn([5]).toArray(), randint(0, 10, [5]).toArray(), randperm(6).toArray()];
  manualSeed(1234);
  const b = [rand([5]).toArray(), randn([5]).toArray(), randint(0, 10, [5]).toArray(), randperm(6).toArray()];
  assert.deepEqual(a, b);
  // Bit-identical to PyTorch: torch.manual_seed(1234); torch.rand(2).tolist(); torch.randn(3) likewise.
  manualSeed(1234);
  assert.deepEqual(Array.from(rand([2]).toArray() as ArrayLike<number>), [0.028979241847991943, 0.4018985629081726]);
  manualSeed(1234);
  assert.deepEqual(
    Array.from(randn([3]).toArray() as ArrayLike<number>),
    [0.0461304634809494, 0.4024028182029724, -1.0115290880203247],
  );
});

test('threads are settable and default to all cores', async () => {
  const { availableParallelism } = await import('node:os');
  assert.equal(getNumThreads(), Number(process.env.MEDATTN_THREADS) || availableParallelism());
  setNumThreads(1);
  assert.equal(getNumThreads(), 1);
  setNumThreads(availableParallelism());
  assert.throws(() => setNumThreads(0), /positive integer/);
});
