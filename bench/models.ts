/**
 * bench/models: forward + backward (cross entropy, no optimizer step) of the Attention U-Net (batch 8,
 * 1x128x128, default config), SA-UNet (batch 16, 1x96x96: DRIVE's training batch, DropBlock on) and
 * SE-ResNet-18 (batch 32, 1x64x64, 1 input channel, 2 classes), medattn against PyTorch (bench/peer/models.py,
 * the twins in reference_models.py) on the same machine in the same run, same threads. Median of --reps after
 * 2 warm-up runs; the sides alternate --repeats times and the lowest median of each is compared. One JSON line
 * per case.
 *   node --import tsx bench/models.ts [--reps 5] [--repeats 2] [--threads 2] [--small-stem] [--only attention_unet|sa_unet|se_resnet18]
 */
import { spawnSync } from 'node:child_process';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { F, manualSeed, randint, randn, setNumThreads, tidy, type Tensor } from '../src/tensor/index.js';
import { createModel, type AttentionModel } from '../src/models/index.js';
import { medianMs } from './flops.js';

const arg = (name: string, fallback: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
};
const only = (() => {
  const i = process.argv.indexOf('--only');
  return i > 0 ? process.argv[i + 1] : undefined;
})();
const reps = arg('reps', 5);
const repeats = arg('repeats', 2);
const threads = arg('threads', availableParallelism());
const smallStem = process.argv.includes('--small-stem');
setNumThreads(threads);
manualSeed(0);

interface Case {
  name: string;
  batch: number;
  input: number[];
  build: () => AttentionModel;
  target: (x: Tensor) => Tensor;
}

const allCases: Case[] = [
  {
    name: 'attention_unet',
    batch: 8,
    input: [1, 128, 128],
    build: () => createModel('attention_unet', { inChannels: 1, numClasses: 2 }),
    target: (x) => randint(0, 2, [x.size(0), ...x.shape.slice(2)]),
  },
  {
    // DRIVE's training batch: DropBlock after every conv, grown with doubling windows (PyTorch: max_pool2d)
    name: 'sa_unet',
    batch: 16,
    input: [1, 96, 96],
    build: () => createModel('sa_unet', { inChannels: 1, numClasses: 2 }),
    target: (x) => randint(0, 2, [x.size(0), ...x.shape.slice(2)]),
  },
  {
    name: 'se_resnet18',
    batch: 32,
    input: [1, 64, 64],
    build: () => createModel('se_resnet18', { inChannels: 1, numClasses: 2, smallInput: smallStem }),
    target: (x) => randint(0, 2, [x.size(0)]),
  },
];
const cases = allCases.filter((c) => !only || c.name === only);

function ourMedians(): Record<string, { ms: number; params: number }> {
  const out: Record<string, { ms: number; params: number }> = {};
  for (const c of cases) {
    manualSeed(0);
    const model = c.build();
    model.train();
    const x = randn([c.batch, ...c.input]);
    const y = c.target(x);
    const step = () =>
      tidy(() => {
        model.zeroGrad();
        F.crossEntropy(model.forward(x), y).backward();
      });
    // 2 warm-up runs, as peer/models.py does.
    out[c.name] = { ms: medianMs(step, reps, 2), params: model.numParameters() };
    model.dispose();
    x.dispose();
    y.dispose();
  }
  return out;
}

const peerScript = fileURLToPath(new URL('./peer/models.py', import.meta.url));
function peerMedians(): Record<string, { ms: number; params: number }> {
  const peer = spawnSync(
    '/usr/bin/python3',
    [peerScript, JSON.stringify({ threads, reps, smallStem, cases: cases.map((c) => c.name) })],
    { encoding: 'utf8' },
  );
  if (peer.status !== 0) throw new Error(`PyTorch peer failed: ${peer.stderr}`);
  return JSON.parse(peer.stdout.trim().split('\n').pop()!) as Record<string, { ms: number; params: number }>;
}

// This VM's speed drifts between minutes: the two sides alternate --repeats times and the lowest median of
// each is compared.
const ours: Record<string, { ms: number; params: number }> = {};
const theirs: Record<string, { ms: number; params: number }> = {};
const keepFaster = (best: typeof ours, next: typeof ours) => {
  for (const [k, v] of Object.entries(next)) if (!best[k] || v.ms < best[k].ms) best[k] = v;
};
for (let r = 0; r < repeats; r++) {
  keepFaster(ours, ourMedians());
  keepFaster(theirs, peerMedians());
}

for (const c of cases) {
  const o = ours[c.name];
  const t = theirs[c.name];
  if (o.params !== t.params) throw new Error(`${c.name}: ${o.params} parameters here, ${t.params} in the PyTorch twin`);
  console.log(
    JSON.stringify({
      case: `${c.name}_forward_backward`,
      batch: c.batch,
      input: c.input,
      threads,
      parameters: o.params,
      ...(c.name === 'se_resnet18' ? { small_stem: smallStem } : {}),
      ours_ms: +o.ms.toFixed(1),
      pytorch_ms: +t.ms.toFixed(1),
      ratio: +(o.ms / t.ms).toFixed(3),
    }),
  );
}
