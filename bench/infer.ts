/**
 * bench/infer: inference speed of the deployed forms against PyTorch, same machine, same run, same threads:
 * ONNX Runtime fp32 and int8 (QDQ) of the exported model, medattn on libtorch, and PyTorch eager (Debian's
 * python3-torch, the twins in bench/peer/reference_models.py, torch.inference_mode). Cases: the PneumoniaMNIST
 * attention CNN (configs/pneumoniamnist.json) at batch 1 (latency) and batch 32 (throughput), and the DRIVE
 * Attention U-Net (configs/drive.json) on a full 565x584 image padded to 568x584, batch 1. Random weights
 * (speed does not depend on them); int8 calibrated on 4 random batches. Median of --reps after 2 warm-ups.
 *   node --import tsx bench/infer.ts [--reps 5] [--threads 2]
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import * as ort from 'onnxruntime-node';
import { exportModel, quantizeModel } from '../src/export/index.js';
import { createModel, type ModelName } from '../src/models/index.js';
import { manualSeed, noGrad, randn, setNumThreads, tidy } from '../src/tensor/index.js';

const arg = (name: string, fallback: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
};
const reps = arg('reps', 5);
const threads = arg('threads', 2);
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
  { name: 'attention_unet 568x584 b1', model: unet, batch: 1, input: [3, 584, 568] },
];

async function medianAsync(fn: () => Promise<unknown>): Promise<number> {
  for (let i = 0; i < 2; i++) await fn();
  const times: number[] = [];
  for (let i = 0; i < reps; i++) {
    const t = performance.now();
    await fn();
    times.push(performance.now() - t);
  }
  return times.sort((a, b) => a - b)[Math.floor(times.length / 2)];
}

const peer = spawnSync(
  '/usr/bin/python3',
  [
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
  ],
  { encoding: 'utf8' },
);
if (peer.status !== 0) throw new Error(`PyTorch peer failed: ${peer.stderr}`);
const torchMs = JSON.parse(peer.stdout) as Record<string, number | string>;

for (const c of cases) {
  const model = createModel(c.model.name, c.model.config);
  model.eval();
  const shape = [c.batch, ...c.input];
  const x = randn(shape);
  const data = x.toFloat32Array();
  const libtorch = await medianAsync(async () => tidy(() => noGrad(() => model.forward(x))));
  const fp32 = exportModel(model, c.model.name === 'attention_cnn' ? { inputShape: c.input } : {});
  const calibration = Array.from({ length: 4 }, () => ({ data: tidy(() => randn(shape).toFloat32Array()), shape }));
  const int8 = await quantizeModel(fp32.bytes, calibration, { threads });
  const ortMs: number[] = [];
  for (const bytes of [fp32.bytes, int8.bytes]) {
    const session = await ort.InferenceSession.create(bytes, { intraOpNumThreads: threads, interOpNumThreads: 1 });
    const feeds = { image: new ort.Tensor('float32', data, shape) };
    ortMs.push(await medianAsync(() => session.run(feeds)));
    await session.release();
  }
  const pt = torchMs[c.name] as number;
  const row = {
    case: c.name,
    threads,
    ms: {
      onnx_fp32: +ortMs[0].toFixed(2),
      onnx_int8: +ortMs[1].toFixed(2),
      medattn_libtorch: +libtorch.toFixed(2),
      pytorch: +pt.toFixed(2),
    },
    vs_pytorch: {
      onnx_fp32: +(ortMs[0] / pt).toFixed(3),
      onnx_int8: +(ortMs[1] / pt).toFixed(3),
      medattn_libtorch: +(libtorch / pt).toFixed(3),
    },
    images_per_s_onnx_fp32: +((1000 * c.batch) / ortMs[0]).toFixed(1),
    bytes: { fp32: fp32.bytes.length, int8: int8.bytes.length },
    torch: torchMs.torch,
  };
  console.log(JSON.stringify(row));
  x.dispose();
  model.dispose();
}
