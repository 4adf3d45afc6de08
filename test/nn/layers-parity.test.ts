// Layers against torch.nn: the same seed gives the same initial weights (same formulas, same draw order),
// and the same weights give the same outputs.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { manualSeed, noGrad, tensor, tidy, type Tensor } from '../../src/tensor/index.js';
import {
  BatchNorm2d,
  Conv1d,
  Conv2d,
  Conv3d,
  ConvTranspose2d,
  ConvTranspose3d,
  Embedding,
  GroupNorm,
  GRU,
  LayerNorm,
  Linear,
  LSTM,
  Module,
  Sequential,
  ReLU,
  StateDictError,
} from '../../src/nn/index.js';
import { assertAllClose, detValues, torchReference } from '../helpers/torch-reference.js';

interface LayerCase {
  build: () => Module;
  py: string; // expression building the torch module
  input: number[];
  run?: (m: Module, x: Tensor) => Tensor;
  pyRun?: string; // expression of `m` and `x`
}

const layers: Record<string, LayerCase> = {
  linear: { build: () => new Linear(5, 3), py: 'torch.nn.Linear(5, 3)', input: [2, 5] },
  linear_nobias: {
    build: () => new Linear(4, 2, { bias: false }),
    py: 'torch.nn.Linear(4, 2, bias=False)',
    input: [3, 4],
  },
  conv1d: {
    build: () => new Conv1d(2, 3, 3, { padding: 1 }),
    py: 'torch.nn.Conv1d(2, 3, 3, padding=1)',
    input: [1, 2, 6],
  },
  conv2d: {
    build: () => new Conv2d(3, 4, 3, { stride: 2, padding: 1 }),
    py: 'torch.nn.Conv2d(3, 4, 3, stride=2, padding=1)',
    input: [2, 3, 7, 7],
  },
  conv2d_groups: {
    build: () => new Conv2d(4, 4, 3, { groups: 2, bias: false }),
    py: 'torch.nn.Conv2d(4, 4, 3, groups=2, bias=False)',
    input: [1, 4, 5, 5],
  },
  conv3d: {
    build: () => new Conv3d(2, 2, 3, { padding: 1 }),
    py: 'torch.nn.Conv3d(2, 2, 3, padding=1)',
    input: [1, 2, 4, 4, 4],
  },
  conv_transpose2d: {
    build: () => new ConvTranspose2d(3, 2, 2, { stride: 2 }),
    py: 'torch.nn.ConvTranspose2d(3, 2, 2, stride=2)',
    input: [1, 3, 4, 4],
  },
  conv_transpose3d: {
    build: () => new ConvTranspose3d(2, 2, 2, { stride: 2 }),
    py: 'torch.nn.ConvTranspose3d(2, 2, 2, stride=2)',
    input: [1, 2, 2, 2, 2],
  },
  batchnorm2d_train: { build: () => new BatchNorm2d(3), py: 'torch.nn.BatchNorm2d(3)', input: [4, 3, 3, 3] },
  layernorm: { build: () => new LayerNorm([4]), py: 'torch.nn.LayerNorm([4])', input: [2, 3, 4] },
  groupnorm: { build: () => new GroupNorm(2, 4), py: 'torch.nn.GroupNorm(2, 4)', input: [2, 4, 3, 3] },
  embedding: {
    build: () => new Embedding(6, 3, 0),
    py: 'torch.nn.Embedding(6, 3, padding_idx=0)',
    input: [2, 2],
    run: (m, x) => m.forward(x.abs().mul(5).to('int64')),
    pyRun: 'm((x.abs() * 5).long())',
  },
  lstm: {
    build: () => new LSTM(3, 4, { numLayers: 2, batchFirst: true, bidirectional: true }),
    py: 'torch.nn.LSTM(3, 4, num_layers=2, batch_first=True, bidirectional=True)',
    input: [2, 5, 3],
    run: (m, x) => (m as LSTM).forward(x).output,
    pyRun: 'm(x)[0]',
  },
  gru: {
    build: () => new GRU(3, 2),
    py: 'torch.nn.GRU(3, 2)',
    input: [4, 1, 3],
    run: (m, x) => (m as GRU).forward(x).h,
    pyRun: 'm(x)[1]',
  },
  sequential: {
    build: () => new Sequential(new Linear(3, 4), new ReLU(), new Linear(4, 2)),
    py: 'torch.nn.Sequential(torch.nn.Linear(3, 4), torch.nn.ReLU(), torch.nn.Linear(4, 2))',
    input: [2, 3],
  },
};

// One Python run: for each layer, seed 0, build, report state dict and output on the fixed input.
const cases = Object.fromEntries(
  Object.entries(layers).map(([name, c]) => [
    name,
    {
      inputs: { x: { shape: c.input, seed: 3 } },
      py: `torch.manual_seed(0)\nm = ${c.py}\nm.train()\nout_ = ${c.pyRun ?? 'm(x)'}\nresult = [out_] + [v for k, v in m.state_dict().items()] + [torch.tensor([float(len(m.state_dict()))])]\nnames_[${JSON.stringify(name)}] = list(m.state_dict().keys())`,
    },
  ]),
);
const reference = torchReference(cases, 'names_ = {}\nimport atexit\natexit.register(lambda: None)');
const namesRef = torchReference(
  Object.fromEntries(
    Object.entries(layers).map(([name, c]) => [
      name,
      {
        inputs: {},
        py: `m = ${c.py}\nresult = torch.tensor([ord(ch) for ch in ','.join(m.state_dict().keys())], dtype=torch.float64)`,
      },
    ]),
  ),
);

for (const [name, c] of Object.entries(layers)) {
  test(`${name}: same seed, same initial state and same output as torch.nn`, () =>
    tidy(() => {
      manualSeed(0);
      const m = c.build();
      m.train();
      const x = tensor(
        detValues(
          c.input.reduce((a, b) => a * b, 1),
          3,
        ),
        { shape: c.input },
      );
      const out = c.run ? c.run(m, x) : m.forward(x);
      const ref = reference[name] as { shape: number[]; data: number[] }[];
      const names = String.fromCharCode(...namesRef[name].data).split(',');
      const state = m.stateDict();
      assert.deepEqual([...state.keys()], names, 'state dict names');
      assert.deepEqual(out.shape, ref[0].shape, 'output shape');
      assertAllClose(Array.from(out.toArray() as Float32Array), ref[0].data, { atol: 1e-5, label: `${name} output` });
      [...state.values()].forEach((t, i) => {
        // Weights must be bit-identical draws; compare through float64 with a tolerance of one float32 ulp.
        assertAllClose(Array.from(t.toArray() as ArrayLike<number>, Number), ref[i + 1].data, {
          atol: 1e-7,
          rtol: 1e-6,
          label: `${name}.${names[i]}`,
        });
      });
    }));
}

test('parameter counts match torch.nn', () => {
  assert.equal(new Linear(5, 3).numParameters(), 18);
  assert.equal(
    new LSTM(3, 4, { numLayers: 2, bidirectional: true }).numParameters(),
    2 * (4 * 4 * (3 + 4) + 8 * 4) + 2 * (4 * 4 * (8 + 4) + 8 * 4),
  );
  assert.equal(new Conv2d(3, 4, 3, { groups: 1 }).numParameters(), 4 * 3 * 9 + 4);
});

test('loadStateDict checks names and shapes and reports them in one line', () => {
  const m = new Sequential(new Linear(3, 4), new Linear(4, 2));
  const other = new Sequential(new Linear(3, 4), new Linear(4, 2));
  m.loadStateDict(other.stateDict());
  assert.deepEqual(m.stateDict().get('1.weight')!.toArray(), other.stateDict().get('1.weight')!.toArray());
  const missing = new Map(other.stateDict());
  missing.delete('1.bias');
  missing.set('2.weight', tensor([1]));
  assert.throws(
    () => m.loadStateDict(missing),
    (e: Error) => e instanceof StateDictError && /missing keys: 1\.bias; unexpected keys: 2\.weight/.test(e.message),
  );
  m.loadStateDict(missing, { strict: false }); // unmatched keys ignored when not strict
  const wrongShape = new Map(other.stateDict());
  wrongShape.set('0.weight', tensor(new Float32Array(6), { shape: [2, 3] }));
  assert.throws(
    () => m.loadStateDict(wrongShape),
    /'0\.weight' has shape \[2,3\] in the checkpoint, \[4,3\] in the model/,
  );
});

test('train/eval switch every sub-module; BatchNorm uses running stats in eval', () => {
  const bn = new BatchNorm2d(2);
  const m = new Sequential(bn);
  m.eval();
  assert.equal(bn.training, false);
  const x = tensor(detValues(16, 1), { shape: [2, 2, 2, 2] });
  // Fresh running stats are mean 0, var 1: eval output = x / sqrt(1 + eps).
  assertAllClose(
    Array.from(m.forward(x).toArray() as Float32Array),
    Array.from(x.toArray() as Float32Array, (v) => v / Math.sqrt(1 + 1e-5)),
    { atol: 1e-6 },
  );
  m.train();
  m.forward(x);
  assert.equal(bn.numBatchesTracked!.item(), 1);
  assert.notEqual(bn.runningMean!.toArray()[0], 0);
});

test('to(dtype) converts parameters in place; integer buffers keep their dtype', () => {
  const bn = new BatchNorm2d(2);
  const weight = bn.weight!;
  bn.to('float64');
  assert.equal(weight.dtype, 'float64');
  assert.equal(bn.numBatchesTracked!.dtype, 'int64');
  const out = noGrad(() => bn.forward(tensor(detValues(8, 2), { shape: [2, 2, 2, 1], dtype: 'float64' })));
  assert.equal(out.dtype, 'float64');
});

test('channelsLast() changes only the memory format: same outputs, weights stay the same tensors', () => {
  manualSeed(1);
  const conv = new Conv2d(3, 4, 3, { padding: 1 });
  const x = tensor(detValues(2 * 3 * 5 * 5, 4), { shape: [2, 3, 5, 5] });
  const before = Array.from(conv.forward(x).toArray() as Float32Array);
  const weight = conv.weight;
  conv.channelsLast();
  assert.equal(conv.weight, weight);
  assert.ok(weight.isContiguous('channelsLast'));
  assertAllClose(
    Array.from(conv.forward(x.contiguous('channelsLast')).contiguous().toArray() as Float32Array),
    before,
    { atol: 1e-6, label: 'channels-last conv' },
  );
});
