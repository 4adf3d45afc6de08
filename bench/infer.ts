/**
 * bench/infer: inference speed of the deployed forms against PyTorch, same machine, same run, same threads:
 * ONNX Runtime fp32 and int8 (QDQ) of the exported model, medattn on libtorch, and PyTorch eager (Debian's
 * python3-torch, the twins in bench/peer/reference_models.py, torch.inference_mode). Cases: the PneumoniaMNIST
 * attention CNN (configs/pneumoniamnist.json) at batch 1 (latency) and batch 32 (throughput), and the DRIVE
 * Attention U-Net (configs/drive.json) on a full 565x584 image padded to 568x584, batch 1. Random weights
 * (speed does not depend on them); int8 calibrated on 4 random batches. After 2 warm-ups per side, --rounds
 * rounds of --reps runs per side, the sides in a rotating order and PyTorch kept alive between rounds, so load
 * drift on a shared machine does not favour one side: ms are medians of all runs, ratios medians over rounds of
 * the ratio within a round. ONNX Runtime: graph optimization 'all', sequential execution, --threads intra-op
 * threads; the op types of its optimized int8 graph are listed (QLinearConv = fused integer convolution).
 *   node --import tsx bench/infer.ts [--rounds 5] [--reps 5] [--threads 2] [--settle 100]
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import * as ort from 'onnxruntime-node';
import { decodeModel, exportModel, quantizeModel } from '../src/export/index.js';
import { createModel, type ModelName } from '../src/models/index.js';
import { manualSeed, noGrad, randn, setNumThreads, tidy } from '../src/tensor/index.js';

const arg = (name: string, fallback: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
};
const reps = arg('reps', 5);
const rounds = arg('rounds', 5);
const threads = arg('threads', 2);
const settleMs = arg('settle', 100);
setNumThreads(threads);
manualSeed(0);

const modelOf = (file: string) =>
  (
    JSON.parse(readFileSync(fileURLToPath(new URL(`../configs/${file}`, import.meta.url)), 'utf8')) as {
      model: { name: ModelName; config: Record<string, unknown> };
    }
  ).model;
const cnn = modelOf('pneumoniamnist.json');
const unet = modelOf('drive.json');
const cases = [
  { name: 'attention_cnn b1', model: cnn, batch: 1, input: [1, 28, 28] },
  { name: 'attention_cnn b32', model: cnn, batch: 32, input: [1, 28, 28] },
  { name: 'attention_unet 568x584 b1', model: unet, batch: 1, input: [unet.config.inChannels as number, 584, 568] },
];

/**
 * Idles before each side's runs. Both engines' worker threads spin-wait for a while after a parallel region
 * (libgomp in PyTorch and libtorch, ONNX Runtime's pool); without a pause the side that runs next shares the cores
 * with the last side's spinning threads, which at 2 threads on 2 cores halves its speed. A deployment runs one
 * engine, so each side is timed after the others have gone idle.
 */
const settle = () => new Promise((resolve) => setTimeout(resolve, settleMs));

const median = (v: number[]) => [...v].sort((a, b) => a - b)[Math.floor(v.length / 2)];

/** `reps` timed runs of fn (ms). */
async function timeRuns(fn: () => Promise<unknown>): Promise<number[]> {
  const times: number[] = [];
  for (let i = 0; i < reps; i++) {
    const t = performance.now();
    await fn();
    times.push(performance.now() - t);
  }
  return times;
}

/** The PyTorch peer as a long-lived process: one round of `reps` runs of a case per request. */
class Peer {
  readonly #child: ChildProcessWithoutNullStreams;
  readonly #lines: AsyncIterator<string>;
  constructor() {
    this.#child = spawn('/usr/bin/python3', [
      fileURLToPath(new URL('peer/infer.py', import.meta.url)),
      JSON.stringify({
        threads,
        reps,
        cases: cases.map((c) => ({
          name: c.name,
          model: c.model.name,
          config: c.model.config,
          batch: c.batch,
          input: c.input,
        })),
      }),
    ]);
    let stderr = '';
    this.#child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    this.#child.on('exit', (code) => {
      if (code) console.error(`PyTorch peer exited with ${code}: ${stderr}`);
    });
    this.#lines = createInterface({ input: this.#child.stdout })[Symbol.asyncIterator]();
  }
  async #next(): Promise<string> {
    const { value, done } = await this.#lines.next();
    if (done) throw new Error('PyTorch peer ended early');
    return value as string;
  }
  async header(): Promise<{ threads: number; torch: string }> {
    return JSON.parse(await this.#next()) as { threads: number; torch: string };
  }
  async round(name: string): Promise<number[]> {
    this.#child.stdin.write(`${name}\n`);
    return JSON.parse(await this.#next()) as number[];
  }
  close(): void {
    this.#child.stdin.end();
  }
}

/** Op types of ONNX Runtime's optimized graph (which ops it fused into integer kernels, which stayed float). */
function optimizedOps(path: string): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const n of decodeModel(readFileSync(path)).graph.node) counts[n.op_type] = (counts[n.op_type] ?? 0) + 1;
  return Object.fromEntries(Object.entries(counts).sort((a, b) => b[1] - a[1]));
}

const sessionOptions = (optimizedModelFilePath?: string): ort.InferenceSession.SessionOptions => ({
  intraOpNumThreads: threads,
  interOpNumThreads: 1,
  executionMode: 'sequential',
  graphOptimizationLevel: 'all',
  ...(optimizedModelFilePath ? { optimizedModelFilePath } : {}),
});

const peer = new Peer();
const { torch: torchVersion } = await peer.header();
const scratch = mkdtempSync(join(tmpdir(), 'medattn-bench-infer-'));

for (const c of cases) {
  const model = createModel(c.model.name, c.model.config);
  model.eval();
  const shape = [c.batch, ...c.input];
  const x = randn(shape);
  const data = x.toFloat32Array();
  const fp32 = exportModel(model, c.model.name === 'attention_cnn' ? { inputShape: c.input } : {});
  const calibration = Array.from({ length: 4 }, () => ({ data: tidy(() => randn(shape).toFloat32Array()), shape }));
  const int8 = await quantizeModel(fp32.bytes, calibration, { threads });
  const feeds = { image: new ort.Tensor('float32', data, shape) };
  const int8Optimized = join(scratch, `${c.name.replace(/\W+/g, '_')}.int8.opt.onnx`);
  const sessions = [
    await ort.InferenceSession.create(fp32.bytes, sessionOptions()),
    await ort.InferenceSession.create(int8.bytes, sessionOptions(int8Optimized)),
  ];
  const sides: Record<string, () => Promise<number[]>> = {
    pytorch: () => peer.round(c.name),
    onnx_fp32: () => timeRuns(() => sessions[0].run(feeds)),
    onnx_int8: () => timeRuns(() => sessions[1].run(feeds)),
    medattn_libtorch: () => timeRuns(async () => tidy(() => noGrad(() => model.forward(x)))),
  };
  const names = Object.keys(sides);
  for (const name of names.slice(1)) for (let i = 0; i < 2; i++) await sides[name](); // warm-up (the peer warmed itself)
  const times: Record<string, number[]> = Object.fromEntries(names.map((n) => [n, []]));
  const ratios: Record<string, number[]> = Object.fromEntries(names.slice(1).map((n) => [n, []]));
  for (let r = 0; r < rounds; r++) {
    // rotate who goes first each round, so no side always runs in the same slot of a drifting load
    const order = names.map((_, i) => names[(i + r) % names.length]);
    const round: Record<string, number> = {};
    for (const name of order) {
      await settle();
      const t = await sides[name]();
      times[name].push(...t);
      round[name] = median(t);
    }
    for (const name of names.slice(1)) ratios[name].push(round[name] / round.pytorch);
  }
  const ms = Object.fromEntries(names.map((n) => [n, +median(times[n]).toFixed(2)]));
  const row = {
    case: c.name,
    threads,
    rounds,
    reps,
    ms,
    // median over rounds of (this side / PyTorch in the same round)
    vs_pytorch: Object.fromEntries(names.slice(1).map((n) => [n, +median(ratios[n]).toFixed(3)])),
    images_per_s_onnx_fp32: +((1000 * c.batch) / ms.onnx_fp32).toFixed(1),
    bytes: { fp32: fp32.bytes.length, int8: int8.bytes.length },
    int8_optimized_ops: optimizedOps(int8Optimized),
    torch: torchVersion,
  };
  console.log(JSON.stringify(row));
  for (const s of sessions) await s.release();
  x.dispose();
  model.dispose();
}
peer.close();
rmSync(scratch, { recursive: true, force: true });
