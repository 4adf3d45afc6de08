/**
 * bench/distributed: data-parallel training on this machine's cores.
 *   1. allreduce: median ms of one sum-allreduce of the PneumoniaMNIST attention CNN's gradients (one flat
 *      float32 bucket) between 2 processes, medattn's c10d binding against torch.distributed (same Gloo), and the
 *      bytes each rank sends per step;
 *   2. epoch: one epoch of configs/pneumoniamnist.json (training + validation) as 1 process x 2 threads and as
 *      `--nproc 2` (2 processes x 1 thread), epoch seconds from metrics.json.
 *   node --import tsx bench/distributed.ts [--repeats 50] [--batches 60]
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort } from '../src/distributed/launch.js';
import { loadConfig } from '../src/train/config.js';
import { createModelFromConfig } from '../src/train/trainer.js';

const self = fileURLToPath(import.meta.url);
const option = (name: string, fallback: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
};

if (process.env.BENCH_ALLREDUCE_CHILD) {
  // One rank of the medattn allreduce timing.
  const { ProcessGroup } = await import('../src/distributed/process-group.js');
  const { ones, setNumThreads } = await import('../src/tensor/index.js');
  setNumThreads(1);
  const [n, repeats] = [Number(process.env.N), Number(process.env.REPEATS)];
  const group = await ProcessGroup.create({
    masterAddr: '127.0.0.1',
    masterPort: Number(process.env.MASTER_PORT),
    rank: Number(process.env.RANK),
    worldSize: 2,
  });
  const t = ones([n]);
  const times: number[] = [];
  for (let i = 0; i < repeats + 5; i++) {
    await group.barrier();
    const start = performance.now();
    await group.allreduceSum([t]);
    if (i >= 5) times.push(performance.now() - start);
  }
  if (group.rank === 0) console.log(times.sort((a, b) => a - b)[Math.floor(times.length / 2)]);
  group.destroy();
  process.exit(0);
}

/** Starts 2 ranks of `command`; rank 0's stdout (a number). */
async function twoRanks(command: string, args: string[], env: NodeJS.ProcessEnv): Promise<number> {
  const port = String(await freePort());
  const ranks = [0, 1].map(
    (rank) =>
      new Promise<string>((done, fail) => {
        const child = spawn(command, args, {
          env: { ...process.env, ...env, MASTER_PORT: port, RANK: String(rank), WORLD_SIZE: '2' },
        });
        let out = '';
        child.stdout.on('data', (d) => (out += d));
        child.on('exit', (code) =>
          code === 0 ? done(out) : fail(new Error(`${command} rank ${rank} exited ${code}`)),
        );
      }),
  );
  return Number((await Promise.all(ranks))[0].trim());
}

const repeats = option('repeats', 50);
const config = loadConfig('configs/pneumoniamnist.json', []);
const model = createModelFromConfig(config.model.name, config.model.config);
const n = model.numParameters();
const ours = await twoRanks(process.execPath, ['--import', 'tsx', self], {
  BENCH_ALLREDUCE_CHILD: '1',
  N: String(n),
  REPEATS: String(repeats),
});
const peer = await twoRanks('/usr/bin/python3', [resolve('bench/peer/allreduce.py'), String(n), String(repeats)], {});
console.log(
  JSON.stringify({
    case: 'allreduce',
    floats: n,
    megabytes: +((n * 4) / 2 ** 20).toFixed(2),
    medattn_ms: +ours.toFixed(3),
    pytorch_ms: +peer.toFixed(3),
    ratio: +(ours / peer).toFixed(2),
  }),
);

// Epoch time: 1 process x 2 threads against 2 processes x 1 thread.
const batches = option('batches', 60);
const sets = ['training.epochs=1', `training.batchesPerEpoch=${batches}`, 'training.workers=0'];
const epochSeconds = (extra: string[], threads: number) => {
  const out = mkdtempSync(join(tmpdir(), 'bench-dist-'));
  const args = ['bin/medattn.js', 'train', '--config', 'configs/pneumoniamnist.json', '--out', out];
  for (const s of [...sets, `training.threads=${threads}`]) args.push('--set', s);
  const r = spawnSync(process.execPath, [...args, ...extra], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(r.stderr);
  return JSON.parse(readFileSync(join(out, 'metrics.json'), 'utf8')).history[0].seconds as number;
};
const single = epochSeconds([], 2);
const parallel = epochSeconds(['--nproc', '2'], 1);
console.log(
  JSON.stringify({
    case: 'epoch',
    batches_per_rank: batches,
    one_process_2_threads_s: single,
    two_processes_1_thread_s: parallel,
    note: 'the 2-process epoch covers twice the samples (each rank takes its own batches)',
    samples_per_s_ratio: +((2 * single) / parallel).toFixed(2),
  }),
);
