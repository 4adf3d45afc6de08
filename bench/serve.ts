/**
 * bench/serve: `medattn serve` under load on 127.0.0.1, measured with autocannon. The service runs as its own
 * process (as deployed); requests are real PneumoniaMNIST validation images (PNG, raw body), cycled.
 *   1. single-request latency: requests one after another on one connection (median, p99);
 *   2. --count requests (default 10,000) at concurrency 16: errors, p50/p99 latency, requests/s, the service's
 *      RSS after a warm-up and after the run, and the mean batch size micro-batching formed (from /metrics);
 *   3. the same with micro-batching off (--max-batch 1): what batching gains;
 *   4. ONNX Runtime alone (no HTTP, no decoding) on batches of that mean size: the throughput ceiling;
 *   5. overload at concurrency 256 with a 64-image queue: 503s, how fast they come, no crash, and recovery.
 * Goals (issue 14): p99 at c16 <= 3x single-request latency; HTTP throughput >= 0.8x ONNX Runtime alone.
 *   node --import tsx bench/serve.ts --run runs/pneumonia [--data ../shared/data/pneumoniamnist/pneumoniamnist.npz]
 *     [--count 10000] [--threads 2] [--seconds 60]
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import autocannon from 'autocannon';
import sharp from 'sharp';
import { readImage, readNpz } from '../src/data/io/index.js';
import { OnnxModel } from '../src/runtime/index.js';
import { modelInfoFromMetadata, prepareInput } from '../src/serve/index.js';

const arg = (name: string, fallback: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : fallback;
};
const run = resolve(arg('run', 'runs/pneumonia'));
const npz = arg('data', new URL('../../shared/data/pneumoniamnist/pneumoniamnist.npz', import.meta.url).pathname);
const count = Number(arg('count', '10000'));
const threads = arg('threads', '2');
const maxSeconds = Number(arg('seconds', '120'));

const dir = mkdtempSync(join(tmpdir(), 'medattn-bench-serve-'));
const arrays = await readNpz(npz);
const val = arrays.get('val_images')!;
const pngs: Buffer[] = [];
for (let i = 0; i < 64; i++)
  pngs.push(
    await sharp(Buffer.from((val.data as Uint8Array).subarray(i * 784, (i + 1) * 784)), {
      raw: { width: 28, height: 28, channels: 1 },
    })
      .toColourspace('b-w')
      .png()
      .toBuffer(),
  );

interface Service {
  url: string;
  stop: () => Promise<number | null>;
}

async function startService(extra: string[]): Promise<Service> {
  const proc = spawn(
    process.execPath,
    [
      'bin/medattn.js',
      'serve',
      '--run',
      run,
      '--port',
      '0',
      '--no-log',
      '--rate-limit',
      '0',
      '--threads',
      threads,
      ...extra,
    ],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  const exited = new Promise<number | null>((done) => proc.on('exit', (c) => done(c)));
  let err = '';
  const url = await new Promise<string>((ok, fail) => {
    proc.stderr!.on('data', (d) => {
      err += d;
      const m = /medattn serve: (http:\/\/[^ ]+?)\/ serving/.exec(err);
      if (m) ok(m[1]);
    });
    void exited.then((c) => fail(new Error(`serve exited ${c}: ${err}`)));
  });
  return {
    url,
    stop: async () => {
      proc.kill('SIGTERM');
      return exited;
    },
  };
}

const requests = pngs.map((body) => ({ method: 'POST' as const, body, headers: { 'content-type': 'image/png' } }));

function cannon(url: string, connections: number, amount: number): Promise<autocannon.Result> {
  return autocannon({
    url: `${url}/v1/models/${run.split('/').pop()}/predict`,
    connections,
    amount,
    duration: maxSeconds,
    requests,
    timeout: 30,
  });
}

async function scrape(url: string): Promise<{ rss: number; batchSum: number; batchCount: number }> {
  const text = await (await fetch(`${url}/metrics`)).text();
  const num = (re: RegExp) => Number(re.exec(text)?.[1] ?? NaN);
  return {
    rss: num(/^medattn_process_resident_memory_bytes (\S+)/m),
    batchSum: num(/^medattn_inference_batch_size_sum\{[^}]*\} (\S+)/m),
    batchCount: num(/^medattn_inference_batch_size_count\{[^}]*\} (\S+)/m),
  };
}

async function sequential(url: string, n: number): Promise<number[]> {
  const ms: number[] = [];
  for (let i = 0; i < n; i++) {
    const t = performance.now();
    const r = await fetch(`${url}/v1/models/${run.split('/').pop()}/predict`, {
      method: 'POST',
      body: new Uint8Array(pngs[i % pngs.length]),
      headers: { 'content-type': 'image/png' },
    });
    await r.arrayBuffer();
    if (r.status !== 200) throw new Error(`sequential request ${i}: HTTP ${r.status}`);
    ms.push(performance.now() - t);
  }
  return ms.sort((a, b) => a - b);
}
const q = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))];
const mb = (b: number) => +(b / 1024 / 1024).toFixed(1);

async function loadPhase(extra: string[], label: string) {
  const s = await startService(extra);
  await sequential(s.url, 50); // warm-up
  const single = await sequential(s.url, 200);
  await cannon(s.url, 16, 1000); // warm-up under concurrency
  const before = await scrape(s.url);
  const r = await cannon(s.url, 16, count);
  const afterRun = await scrape(s.url);
  await s.stop();
  const meanBatch = (afterRun.batchSum - before.batchSum) / (afterRun.batchCount - before.batchCount);
  const out = {
    label,
    single: { p50: +q(single, 0.5).toFixed(2), p99: +q(single, 0.99).toFixed(2) },
    c16: {
      requests: r.requests.total,
      errors: r.errors + r.timeouts,
      non2xx: r.non2xx,
      p50: r.latency.p50,
      p99: r.latency.p99,
      rps: r.requests.average,
      seconds: r.duration,
    },
    rssMB: { afterWarmup: mb(before.rss), afterRun: mb(afterRun.rss), growth: mb(afterRun.rss - before.rss) },
    meanBatch: +meanBatch.toFixed(2),
  };
  console.log(JSON.stringify(out));
  return out;
}

/** ONNX Runtime alone on batches of `batch` prepared images: images per second. */
async function onnxAlone(batch: number, images: number): Promise<number> {
  const onnx = await OnnxModel.load(join(run, 'model.onnx'), { threads: Number(threads) });
  const info = modelInfoFromMetadata(onnx.metadata, run);
  const inputs = [];
  for (let i = 0; i < pngs.length; i++) {
    const file = join(dir, `${i}.png`);
    await sharp(pngs[i]).toFile(file);
    inputs.push(prepareInput(await readImage(file), info));
  }
  const per = inputs[0].data.length;
  const shape = inputs[0].shape.slice(1);
  const data = new Float32Array(per * batch);
  for (let i = 0; i < batch; i++) data.set(inputs[i % inputs.length].data, i * per);
  const outputs = ['probabilities', ...onnx.outputNames.filter((n) => n.startsWith('attention/'))];
  for (let i = 0; i < 20; i++) await onnx.run(data, [batch, ...shape], outputs);
  const runs = Math.ceil(images / batch);
  const t = performance.now();
  for (let i = 0; i < runs; i++) await onnx.run(data, [batch, ...shape], outputs);
  const seconds = (performance.now() - t) / 1000;
  await onnx.release();
  return (runs * batch) / seconds;
}

const batched = await loadPhase([], 'micro-batching on (max batch 16, wait 2 ms)');
const unbatched = await loadPhase(['--max-batch', '1'], 'micro-batching off (max batch 1)');
const ceilingBatch = Math.max(1, Math.round(batched.meanBatch));
const ortRate = await onnxAlone(ceilingBatch, 5000);
console.log(
  JSON.stringify({
    onnxRuntimeAlone: { batch: ceilingBatch, imagesPerSecond: +ortRate.toFixed(1) },
    batchingGain: +(batched.c16.rps / unbatched.c16.rps).toFixed(2),
    goals: {
      p99OverSingle: +(batched.c16.p99 / batched.single.p50).toFixed(2),
      throughputOverOnnx: +(batched.c16.rps / ortRate).toFixed(2),
    },
  }),
);

// Overload: 256 clients against a 64-image queue. Fast 503s, no crash, then normal service.
const s = await startService(['--max-queue', '64']);
await sequential(s.url, 20);
const over = await cannon(s.url, 256, Math.min(count, 5000));
const status = over.statusCodeStats as Record<string, { count: number }>;
const recovered = await sequential(s.url, 100);
const healthy = (await fetch(`${s.url}/healthz`)).status;
const exit = await s.stop();
console.log(
  JSON.stringify({
    overload: {
      requests: over.requests.total,
      ok: status['200']?.count ?? 0,
      refused503: status['503']?.count ?? 0,
      errors: over.errors + over.timeouts,
      p50: over.latency.p50,
      p99: over.latency.p99,
      rps: over.requests.average,
    },
    afterwards: {
      sequential200: recovered.length,
      p50: +q(recovered, 0.5).toFixed(2),
      healthz: healthy,
      exitCode: exit,
    },
  }),
);
rmSync(dir, { recursive: true, force: true });
