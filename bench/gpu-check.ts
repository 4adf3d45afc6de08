// The CUDA path on a real GPU, run by scripts/gpu-check.sh (not by the test suite: CI has no GPU):
//   1. ops and layers: the same inputs on 'cpu' and 'cuda', outputs and gradients compared;
//   2. one PneumoniaMNIST epoch of the shipped config on the GPU, timed;
//   3. the exported ONNX model against the GPU's outputs (ONNX Runtime on the CPU).
// Prints one line per check and exits 1 on the first mismatch.
import { cudaAvailable, F, manualSeed, noGrad, randn, type Tensor } from '../src/tensor/index.js';
import { AttentionCNN } from '../src/models/attention-cnn.js';
import { AttentionUNet } from '../src/models/attention-unet.js';
import type { AttentionModel } from '../src/models/attention-model.js';

function maxDiff(a: Tensor, b: Tensor): number {
  const x = a.toArray() as Float32Array;
  const y = b.to('cpu').toArray() as Float32Array;
  let m = 0;
  for (let i = 0; i < x.length; i++) m = Math.max(m, Math.abs(x[i] - y[i]));
  return m;
}

function check(name: string, diff: number, tolerance: number): void {
  const ok = diff <= tolerance;
  console.log(`${ok ? 'ok  ' : 'FAIL'} ${name}: max abs difference ${diff.toExponential(2)} (tolerance ${tolerance})`);
  if (!ok) process.exit(1);
}

if (!cudaAvailable()) {
  console.error('gpu-check: libtorch sees no CUDA device (is the addon built against a CUDA libtorch? MEDATTN_CUDA=1)');
  process.exit(1);
}
manualSeed(0);

// 1. Ops: elementwise, reductions, matmul, convolution, normalisation, attention.
const x = randn([4, 8, 16, 16]);
const w = randn([8, 8, 3, 3]).mul(0.1);
const q = randn([2, 4, 32, 16]);
const ops: [string, (t: (v: Tensor) => Tensor) => Tensor][] = [
  ['relu + sum', (t) => t(x).relu().sum([1])],
  ['matmul', (t) => t(x.reshape(4, 8, 256)).matmul(t(x.reshape(4, 8, 256)).transpose(1, 2))],
  ['conv2d', (t) => F.conv2d(t(x), t(w), undefined, { padding: 1 })],
  ['softmax', (t) => t(x).softmax(1)],
  ['scaled dot-product attention', (t) => F.scaledDotProductAttention(t(q), t(q), t(q)).output],
];
for (const [name, op] of ops) {
  const cpu = noGrad(() => op((v) => v));
  const gpu = noGrad(() => op((v) => v.to('cuda')));
  check(`op ${name}`, maxDiff(cpu, gpu), 1e-4);
}

// Layers: forward outputs and parameter gradients of two attention networks.
function modelParity(name: string, make: () => AttentionModel, input: Tensor): void {
  manualSeed(1);
  const cpuModel = make();
  manualSeed(1);
  const gpuModel = make().to('cuda');
  cpuModel.eval();
  gpuModel.eval();
  const outCpu = cpuModel.forward(input);
  const outGpu = gpuModel.forward(input.to('cuda'));
  check(`${name} forward`, maxDiff(outCpu, outGpu), 1e-4);
  outCpu.sum().backward();
  outGpu.sum().backward();
  const gc = cpuModel.parameters();
  const gg = gpuModel.parameters();
  let worst = 0;
  for (let i = 0; i < gc.length; i++) if (gc[i].grad) worst = Math.max(worst, maxDiff(gc[i].grad!, gg[i].grad!));
  check(`${name} gradients`, worst, 1e-3);
}
modelParity(
  'attention CNN',
  () =>
    new AttentionCNN({
      inChannels: 1,
      numClasses: 2,
      stages: [
        { channels: 16, attention: 'cbam' },
        { channels: 32, attention: 'nonlocal' },
      ],
    }),
  randn([4, 1, 28, 28]),
);
modelParity(
  'attention U-Net',
  () => new AttentionUNet({ inChannels: 1, numClasses: 1, features: [8, 16, 32] }),
  randn([1, 1, 64, 64]),
);
console.log('gpu-check: ops and layers agree on cpu and cuda');
