/**
 * bench/train: one training epoch of the default PneumoniaMNIST and DRIVE configs (configs/*.json: data
 * loading, augmentation in worker threads, forward, loss, backward, AdamW), medattn against the same training
 * written in PyTorch (bench/peer/train.py: torchvision augmentations, DataLoader with the same number of
 * worker processes), same machine, same run, same threads. One JSON line per case.
 *   node --import tsx bench/train.ts [--only pneumoniamnist|drive] [--threads 2]
 */
import { spawnSync } from 'node:child_process';
import { availableParallelism } from 'node:os';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadConfig } from '../src/train/config.js';
import { train } from '../src/train/trainer.js';

const only = process.argv.includes('--only') ? process.argv[process.argv.indexOf('--only') + 1] : undefined;
const threads = process.argv.includes('--threads') ? Number(process.argv[process.argv.indexOf('--threads') + 1]) : availableParallelism();
const shared = resolve('..', 'shared', 'data');

for (const name of ['pneumoniamnist', 'drive']) {
  if (only && only !== name) continue;
  const config = loadConfig(`configs/${name}.json`, ['training.epochs=1', `training.threads=${threads}`]);
  // Time the training part of the epoch: from the loader's first batch request to the last optimizer step.
  let first = 0;
  let last = 0;
  let batches = 0;
  await train(config, {
    outDir: mkdtempSync(join(tmpdir(), `bench-train-${name}-`)),
    onEvent: (e) => {
      if (e.type === 'start') first = performance.now();
      if (e.type === 'batch') {
        last = performance.now();
        batches = e.batch;
      }
    },
  });
  const ours = (last - first) / 1000;
  const peer = spawnSync('/usr/bin/python3', [fileURLToPath(new URL('./peer/train.py', import.meta.url)), JSON.stringify({ config, threads, npz: join(shared, 'pneumoniamnist', 'pneumoniamnist.npz'), drive: join(shared, 'drive', 'training') })], { encoding: 'utf8' });
  if (peer.status !== 0) throw new Error(`PyTorch peer failed: ${peer.stderr}`);
  const theirs = JSON.parse(peer.stdout.trim().split('\n').pop()!);
  console.log(JSON.stringify({ case: `${name}_train_epoch`, batches, pytorch_batches: theirs.batches, threads, ours_s: +ours.toFixed(2), pytorch_s: +theirs.epoch_s.toFixed(2), ratio: +(ours / theirs.epoch_s).toFixed(3) }));
}
