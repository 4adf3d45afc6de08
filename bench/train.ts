/**
 * bench/train: one training epoch of the default PneumoniaMNIST and DRIVE configs (configs/*.json: data
 * loading, augmentation in worker threads, forward, loss, backward, AdamW), medattn against the same training
 * written in PyTorch (bench/peer/train.py: torchvision augmentations, DataLoader with the same number of
 * worker processes), same machine, same run, same threads, alternating --repeats times (fastest of each
 * side compared, and the median of the per-repeat ratios, which drift cancels better). Each epoch runs in a
 * fresh process on both sides (a warm heap made our later epochs look faster). medattn keeps freed tensor
 * memory for reuse (src/tensor/runtime.ts); `--peer-keep-freed` gives the PyTorch side the same glibc setting
 * through MALLOC_* variables, to show how much of the ratio that setting is; `--peer-one-blas-thread` gives it
 * medattn's one OpenBLAS thread (OPENBLAS_NUM_THREADS=1) likewise. Both sides decode DRIVE's images
 * before the clock starts (the peer in its Dataset's constructor, medattn through the config's `preload`). One
 * JSON line per case, with each side's epochs and first-batch latencies (loader start-up plus the first step).
 *   node --import tsx bench/train.ts [--only pneumoniamnist|drive] [--threads 2] [--repeats 2] [--peer-keep-freed] [--peer-one-blas-thread] [--set training.channelsLast=true ...]
 */
import { spawnSync } from 'node:child_process';
import { availableParallelism } from 'node:os';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { TransformSpec } from '../src/data/transforms/index.js';
import { loadConfig } from '../src/train/config.js';
import { train } from '../src/train/trainer.js';

/** The value after `--name` on the command line, if given. */
function option(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
}
const only = option('only');
const threads = Number(option('threads') ?? availableParallelism());
const shared = resolve('..', 'shared', 'data');
const sets = process.argv.flatMap((a, i) => (a === '--set' ? [process.argv[i + 1]] : []));

// This VM's speed drifts by up to 1.6x between minutes, so the two sides alternate --repeats times and the
// fastest epoch of each is compared (as timeit does).
const repeats = Number(option('repeats') ?? 2);
const peerKeepFreed = process.argv.includes('--peer-keep-freed');
const peerOneBlasThread = process.argv.includes('--peer-one-blas-thread');

/**
 * One bench case's config: the shipped config for one epoch on `threads` threads, plus --set overrides. DRIVE
 * keeps the RGB recipe the PyTorch peer mirrors: configs/drive.json picks the CLAHE green channel since
 * 2026-11-28 (docs/attention-study.md), which the peer does not do, so those steps are dropped here.
 */
function benchConfig(name: string) {
  const config = loadConfig(`configs/${name}.json`, ['training.epochs=1', `training.threads=${threads}`, ...sets]);
  if (name !== 'drive') return config;
  const rgb = (pipeline: TransformSpec[]) => pipeline.filter((t) => t.type !== 'selectChannels' && t.type !== 'clahe');
  const transforms = config.transforms as { train: TransformSpec[]; eval: TransformSpec[] };
  transforms.train = rgb(transforms.train);
  transforms.eval = rgb(transforms.eval);
  (config.model.config as { inChannels: number }).inChannels = 3;
  return config;
}

interface OurEpoch {
  seconds: number;
  firstBatch: number;
  batches: number;
}

async function ourEpoch(config: ReturnType<typeof loadConfig>, name: string): Promise<OurEpoch> {
  // Time the training part of the epoch: from the loader's first batch request to the last optimizer step.
  let first = 0;
  let last = 0;
  let firstBatch = 0;
  let batches = 0;
  const result = await train(config, {
    outDir: mkdtempSync(join(tmpdir(), `bench-train-${name}-`)),
    onEvent: (e) => {
      if (e.type === 'start') first = performance.now();
      if (e.type === 'batch') {
        last = performance.now();
        batches = e.batch;
        if (batches === 1) firstBatch = last - first;
      }
    },
  });
  result.model.dispose();
  return { seconds: (last - first) / 1000, firstBatch: firstBatch / 1000, batches };
}

function peerEpoch(config: ReturnType<typeof loadConfig>): { epoch_s: number; first_batch_s: number; batches: number } {
  const args = JSON.stringify({
    config,
    threads,
    npz: join(shared, 'pneumoniamnist', 'pneumoniamnist.npz'),
    drive: join(shared, 'drive', 'training'),
  });
  // The same two settings as native keepFreedMemory (glibc's ceiling for the mmap threshold; never trim).
  const keepFreed = { MALLOC_MMAP_THRESHOLD_: String(32 * 2 ** 20), MALLOC_TRIM_THRESHOLD_: String(2 ** 31 - 1) };
  const peer = spawnSync('/usr/bin/python3', [fileURLToPath(new URL('./peer/train.py', import.meta.url)), args], {
    encoding: 'utf8',
    env: {
      ...process.env,
      ...(peerKeepFreed ? keepFreed : {}),
      // medattn's default since session 14 (setBlasThreads in native/src/runtime.cc), given to the peer by variable
      ...(peerOneBlasThread ? { OPENBLAS_NUM_THREADS: '1' } : {}),
    },
  });
  if (peer.status !== 0) throw new Error(`PyTorch peer failed: ${peer.stderr}`);
  return JSON.parse(peer.stdout.trim().split('\n').pop()!);
}

/** Our epoch in a fresh node process, as the peer's is in a fresh python: neither side keeps a warm heap. */
function ourEpochFresh(name: string): OurEpoch {
  const self = fileURLToPath(import.meta.url);
  const args = [
    '--import',
    'tsx',
    self,
    '--child',
    name,
    '--threads',
    String(threads),
    ...sets.flatMap((s) => ['--set', s]),
  ];
  const child = spawnSync(process.execPath, args, { encoding: 'utf8' });
  if (child.status !== 0) throw new Error(`medattn epoch failed: ${child.stderr}`);
  return JSON.parse(child.stdout.trim().split('\n').pop()!);
}

const child = option('child');
if (child) {
  console.log(JSON.stringify(await ourEpoch(benchConfig(child), child)));
  process.exit(0);
}

for (const name of ['pneumoniamnist', 'drive']) {
  if (only && only !== name) continue;
  const config = benchConfig(name);
  const ours: number[] = [];
  const theirs: number[] = [];
  const firstOurs: number[] = [];
  const firstTheirs: number[] = [];
  let batches = 0;
  let peerBatches = 0;
  const runOurs = () => {
    const o = ourEpochFresh(name);
    ours.push(o.seconds);
    firstOurs.push(o.firstBatch);
    batches = o.batches;
  };
  const runPeer = () => {
    const p = peerEpoch(config);
    theirs.push(p.epoch_s);
    firstTheirs.push(p.first_batch_s);
    peerBatches = p.batches;
  };
  // Who goes first alternates, so a drifting machine does not favour one side.
  for (let r = 0; r < repeats; r++) {
    const order = r % 2 === 0 ? [runOurs, runPeer] : [runPeer, runOurs];
    for (const run of order) run();
  }
  const best = (a: number[]) => Math.min(...a);
  const median = (a: number[]) => {
    const s = [...a].sort((x, y) => x - y);
    return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
  };
  const paired = ours.map((o, i) => o / theirs[i]);
  console.log(
    JSON.stringify({
      case: `${name}_train_epoch`,
      ...(sets.length ? { sets } : {}),
      ...(peerKeepFreed ? { pytorch_env: 'MALLOC_MMAP_THRESHOLD_, MALLOC_TRIM_THRESHOLD_ as medattn' } : {}),
      ...(peerOneBlasThread ? { pytorch_blas: 'OPENBLAS_NUM_THREADS=1 as medattn' } : {}),
      batches,
      pytorch_batches: peerBatches,
      threads,
      ours_s: ours.map((v) => +v.toFixed(2)),
      pytorch_s: theirs.map((v) => +v.toFixed(2)),
      ours_first_batch_s: firstOurs.map((v) => +v.toFixed(2)),
      pytorch_first_batch_s: firstTheirs.map((v) => +v.toFixed(2)),
      ratio: +(best(ours) / best(theirs)).toFixed(3),
      paired_ratios: paired.map((v) => +v.toFixed(3)),
      median_paired_ratio: +median(paired).toFixed(3),
    }),
  );
}
