/**
 * bench/serve: `medattn serve` under load on 127.0.0.1, measured with autocannon. The service runs as its own
 * process (as deployed); requests are real PneumoniaMNIST validation images (PNG, raw body), cycled. One run
 * reports what issue 14's goals need:
 *   1. single-request latency: requests one after another on one connection (p50, p99), and where the time goes
 *      (the answers' own decode and inference times; the rest is HTTP, routing and JSON);
 *   2. --count requests (default 10,000) at concurrency 16: errors, p50/p99 latency, requests/s, the p99/single
 *      ratio, the service's RSS after a warm-up and after the run, and the batch sizes micro-batching formed
 *      (exact, from the /metrics histogram);
 *   3. the same with micro-batching off (--max-batch 1): what batching gains (--skip-unbatched leaves it out);
 *   4. ONNX Runtime alone (no HTTP, no decoding, same threads) on exactly the batch sizes of phase 2, replayed:
 *      the throughput ceiling, and the service/ONNX Runtime ratio;
 *   5. overload at concurrency 256 with a 64-image queue: how many 503s and how fast they come (a probe client
 *      times its own refused requests), no crash, and recovery (sequential requests, /healthz, exit code 0).
 * Goals (issue 14): p99 at c16 <= 3x single-request latency; HTTP throughput >= 0.8x ONNX Runtime alone.
 *   node --import tsx bench/serve.ts --run runs/pneumonia [--data ../shared/data/pneumoniamnist/pneumoniamnist.npz]
 *     [--count 10000] [--threads 2] [--seconds 120] [--serve-args "--batch-wait-ms 1 --max-batch 8"]
 *     [--skip-unbatched]
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
const serveArgs = arg('serve-args', '').split(' ').filter(Boolean);
const skipUnbatched = process.argv.includes('--skip-unbatched');

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
      ...serveArgs,
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

interface Scrape {
  rss: number;
  /** Forward passes by exact batch size (the histogram has one bucket per size up to 16). */
  batches: Map<number, number>;
  inferenceSeconds: number;
}

async function scrape(url: string): Promise<Scrape> {
  const text = await (await fetch(`${url}/metrics`)).text();
  const num = (re: RegExp) => Number(re.exec(text)?.[1] ?? NaN);
  const cumulative = [...text.matchAll(/^medattn_inference_batch_size_bucket\{le="(\d+)",[^}]*\} (\S+)/gm)].map(
    (m) => [Number(m[1]), Number(m[2])] as const,
  );
  const batches = new Map<number, number>();
  let below = 0;
  for (const [le, n] of cumulative) {
    if (n > below) batches.set(le, n - below);
    below = n;
  }
  return {
    rss: num(/^medattn_process_resident_memory_bytes (\S+)/m),
    batches,
    inferenceSeconds: num(/^medattn_inference_duration_seconds_sum\{[^}]*\} (\S+)/m),
  };
}

/** Forward passes by batch size between two scrapes. */
function batchesBetween(a: Scrape, b: Scrape): Map<number, number> {
  const out = new Map<number, number>();
  for (const [size, n] of b.batches)
    if (n - (a.batches.get(size) ?? 0) > 0) out.set(size, n - (a.batches.get(size) ?? 0));
  return out;
}

/** Requests one after another: sorted latencies (ms) and the answers' own decode and inference times. */
async function sequential(url: string, n: number): Promise<number[] & { decodeMs?: number[]; inferenceMs?: number[] }> {
  const ms: number[] & { decodeMs?: number[]; inferenceMs?: number[] } = [];
  ms.decodeMs = [];
  ms.inferenceMs = [];
  for (let i = 0; i < n; i++) {
    const t = performance.now();
    const r = await fetch(`${url}/v1/models/${run.split('/').pop()}/predict`, {
      method: 'POST',
      body: new Uint8Array(pngs[i % pngs.length]),
      headers: { 'content-type': 'image/png' },
    });
    const answer = (await r.json()) as { timing?: { decodeMs: number; inferenceMs: number } };
    if (r.status !== 200) throw new Error(`sequential request ${i}: HTTP ${r.status}`);
    ms.push(performance.now() - t);
    ms.decodeMs.push(answer.timing!.decodeMs);
    ms.inferenceMs.push(answer.timing!.inferenceMs);
  }
  ms.sort((a, b) => a - b);
  ms.decodeMs.sort((a, b) => a - b);
  ms.inferenceMs.sort((a, b) => a - b);
  return ms;
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
  const batches = batchesBetween(before, afterRun);
  const passes = [...batches.values()].reduce((a, b) => a + b, 0);
  const images = [...batches].reduce((a, [size, n]) => a + size * n, 0);
  const out = {
    label,
    single: {
      p50: +q(single, 0.5).toFixed(2),
      p99: +q(single, 0.99).toFixed(2),
      decodeMsP50: q(single.decodeMs!, 0.5),
      inferenceMsP50: q(single.inferenceMs!, 0.5),
    },
    c16: {
      requests: r.requests.total,
      errors: r.errors + r.timeouts,
      non2xx: r.non2xx,
      p50: r.latency.p50,
      p99: r.latency.p99,
      rps: r.requests.average,
      seconds: r.duration,
      p99OverSingle: +(r.latency.p99 / q(single, 0.5)).toFixed(2),
    },
    rssMB: { afterWarmup: mb(before.rss), afterRun: mb(afterRun.rss), growth: mb(afterRun.rss - before.rss) },
    meanBatch: +(images / passes).toFixed(2),
    batches: Object.fromEntries(batches),
    serviceForwardSeconds: +(afterRun.inferenceSeconds - before.inferenceSeconds).toFixed(2),
  };
  console.log(JSON.stringify(out));
  return out;
}

/**
 * ONNX Runtime alone, same threads, on exactly these batches (size -> forward passes) of prepared images:
 * images per second, and the median time of one pass at each size.
 */
async function onnxAlone(batches: Map<number, number>): Promise<{ imagesPerSecond: number; msPerPass: object }> {
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
  const outputs = ['probabilities', ...onnx.outputNames.filter((n) => n.startsWith('attention/'))];
  const msPerPass: Record<number, number> = {};
  let seconds = 0;
  let images = 0;
  for (const [size, passes] of batches) {
    const data = new Float32Array(per * size);
    for (let i = 0; i < size; i++) data.set(inputs[i % inputs.length].data, i * per);
    for (let i = 0; i < 10; i++) await onnx.run(data, [size, ...shape], outputs);
    const times: number[] = [];
    for (let i = 0; i < Math.max(30, Math.min(passes, 300)); i++) {
      const t = performance.now();
      await onnx.run(data, [size, ...shape], outputs);
      times.push(performance.now() - t);
    }
    times.sort((a, b) => a - b);
    msPerPass[size] = +q(times, 0.5).toFixed(3);
    seconds += (passes * q(times, 0.5)) / 1000;
    images += passes * size;
  }
  await onnx.release();
  return { imagesPerSecond: images / seconds, msPerPass };
}

const batched = await loadPhase([], 'micro-batching on');
const unbatched = skipUnbatched ? undefined : await loadPhase(['--max-batch', '1'], 'micro-batching off (max batch 1)');
const ort = await onnxAlone(new Map(Object.entries(batched.batches).map(([k, v]) => [Number(k), v])));
const ortSingle = await onnxAlone(new Map([[1, 200]]));
console.log(
  JSON.stringify({
    onnxRuntimeAlone: {
      sameBatches: { imagesPerSecond: +ort.imagesPerSecond.toFixed(1), msPerPass: ort.msPerPass },
      batch1MsPerPass: ortSingle.msPerPass,
    },
    batchingGain: unbatched ? +(batched.c16.rps / unbatched.c16.rps).toFixed(2) : null,
    goals: {
      p99OverSingle: batched.c16.p99OverSingle,
      p99OverSingleMet: batched.c16.p99OverSingle <= 3,
      throughputOverOnnx: +(batched.c16.rps / ort.imagesPerSecond).toFixed(2),
      throughputOverOnnxMet: batched.c16.rps / ort.imagesPerSecond >= 0.8,
      errors: batched.c16.errors + batched.c16.non2xx,
      rssGrowthMB: batched.rssMB.growth,
    },
  }),
);

// Overload: 256 clients against a 64-image queue. Fast 503s, no crash, then normal service.
const s = await startService(['--max-queue', '64']);
await sequential(s.url, 20);
// a probe client beside the 256: how long a refused request takes to be refused
const probe: Array<{ status: number; ms: number }> = [];
let overloaded = true;
const probing = (async () => {
  await new Promise((r) => setTimeout(r, 1000));
  while (overloaded && probe.length < 200) {
    const t = performance.now();
    try {
      const r = await fetch(`${s.url}/v1/models/${run.split('/').pop()}/predict`, {
        method: 'POST',
        body: new Uint8Array(pngs[0]),
        headers: { 'content-type': 'image/png' },
        signal: AbortSignal.timeout(30_000),
      });
      await r.arrayBuffer();
      probe.push({ status: r.status, ms: performance.now() - t });
    } catch {
      probe.push({ status: 0, ms: performance.now() - t });
    }
  }
})();
const over = await cannon(s.url, 256, Math.min(count, 5000));
overloaded = false;
await probing;
const refused = probe
  .filter((p) => p.status === 503)
  .map((p) => p.ms)
  .sort((a, b) => a - b);
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
      probe: {
        requests: probe.length,
        refused503: refused.length,
        refusedMsP50: refused.length ? +q(refused, 0.5).toFixed(2) : null,
        refusedMsP99: refused.length ? +q(refused, 0.99).toFixed(2) : null,
      },
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
