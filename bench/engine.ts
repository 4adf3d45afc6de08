/**
 * bench/engine: the reference model of DESIGN.md (batch 32, 1x64x64: conv-BN-ReLU + SE, conv-BN-ReLU + CBAM
 * spatial, conv-BN-ReLU + non-local, pooling, dense), train step (forward, cross entropy, backward, Adam) and
 * inference, medattn against PyTorch (Debian's python3-torch) on the same machine in the same run, same
 * threads. Median of 20 after warm-up. One JSON line per case.
 *   node --import tsx bench/engine.ts [--reps 20] [--threads 2]
 */
import { spawnSync } from 'node:child_process';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { F, manualSeed, noGrad, randint, randn, setNumThreads, tidy } from '../src/tensor/index.js';
import { Adam } from '../src/optim/index.js';
import { AttentionCNN } from '../src/models/attention-cnn.js';
import { medianMs, referenceCnnFlops } from './flops.js';

const arg = (name: string, fallback: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
};
const reps = arg('reps', 20);
const threads = arg('threads', availableParallelism());
const batch = 32;
const size = 64;
setNumThreads(threads);
manualSeed(0);

const model = new AttentionCNN();
const channelsLast = !process.argv.includes('--no-channels-last');
if (channelsLast) model.channelsLast();
const x = randn([batch, 1, size, size]);
const xIn = channelsLast ? x.contiguous('channelsLast') : x;
const y = randint(0, 2, [batch]);
const opt = new Adam(model.parameters(), { lr: 1e-3 });

const trainStep = () =>
  tidy(() => {
    opt.zeroGrad();
    const loss = F.crossEntropy(model.forward(xIn), y);
    loss.backward();
    opt.step();
  });
model.train();
const oursTrain = medianMs(trainStep, reps);
model.eval();
const oursInfer = medianMs(() => tidy(() => noGrad(() => model.forward(xIn))), reps);

const peerScript = fileURLToPath(new URL('./peer/engine.py', import.meta.url));
const peer = spawnSync('/usr/bin/python3', [peerScript, JSON.stringify({ threads, batch, size, reps, channelsLast })], {
  encoding: 'utf8',
});
if (peer.status !== 0) throw new Error(`PyTorch peer failed: ${peer.stderr}`);
const torchResult = JSON.parse(peer.stdout.trim().split('\n').pop()!);

const flops = referenceCnnFlops(batch, size);
for (const [name, ours, theirs, work] of [
  ['reference_cnn_train_step', oursTrain, torchResult.train_ms, flops.train],
  ['reference_cnn_inference', oursInfer, torchResult.infer_ms, flops.forward],
] as const) {
  console.log(
    JSON.stringify({
      case: name,
      batch,
      input: [1, size, size],
      threads,
      channels_last: channelsLast,
      ours_ms: +ours.toFixed(2),
      pytorch_ms: +theirs.toFixed(2),
      ratio: +(ours / theirs).toFixed(3),
      gflops_per_s: +(work / ours / 1e6).toFixed(2),
    }),
  );
}
