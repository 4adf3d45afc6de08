// `medattn serve` as a real process on 127.0.0.1 over one run trained and exported in this process for the whole
// file (a small attention CNN with CBAM, so it has a spatial attention map, on a synthetic MedMNIST-layout
// fixture): the contract (`medattn token new` as a process, served under the folder name, Bearer token, multipart
// field `file`, `probabilities` and `label`) with probabilities equal to what `medattn predict --engine onnx` runs
// within 1e-6; the attention map PNG equal to ONNX
// Runtime's output; the security checks of the issue (401, 413, 400, 422 with one line while the server keeps
// serving, slow headers closed, `../` 404, no DICOM patient data in answers or logs); metrics; micro-batching
// against single-image ONNX Runtime runs; graceful SIGTERM with a request in flight.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import sharp from 'sharp';
import { readImage, readNpz } from '../../src/data/io/index.js';
import { normalizeMap } from '../../src/explain/overlay.js';
import { OnnxModel, onnxInfer, onnxLooked } from '../../src/runtime/index.js';
import { predictFiles } from '../../src/train/predict.js';
import { BatchQueue, createService, defaultServeOptions, QueueFullError } from '../../src/serve/index.js';
import { tinyConfig, writeTinyMedmnist } from '../helpers/tiny-medmnist.js';
import { medattnAsync, startServe, trainAndExport, type RunningService } from './serve-process.js';

const PYDICOM = '/usr/lib/python3/dist-packages/pydicom/data/test_files';
const dir = mkdtempSync(join(tmpdir(), 'medattn-serve-'));
let run = '';
let token = '';
let service!: RunningService;
const images: string[] = [];

async function predict(
  body: Buffer,
  options: { token?: string | null; query?: string; field?: string; filename?: string } = {},
): Promise<{ status: number; json: any; text: string }> {
  const form = new FormData();
  form.append(options.field ?? 'file', new Blob([new Uint8Array(body)]), options.filename ?? 'image.png');
  const auth: Record<string, string> =
    options.token === null ? {} : { authorization: `Bearer ${options.token ?? token}` };
  const r = await fetch(`${service.url}/v1/models/chest/predict${options.query ?? ''}`, {
    method: 'POST',
    body: form,
    headers: auth,
  });
  const text = await r.text();
  return { status: r.status, json: JSON.parse(text), text };
}

/** A raw HTTP exchange (fetch normalises `..` in paths, which is what the test must not do). */
function rawRequest(
  path: string,
  headers: Record<string, string>,
  body?: Buffer,
): Promise<{ status: number; text: string }> {
  const { hostname, port } = new URL(service.url);
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: hostname, port, path, method: body ? 'POST' : 'GET', headers }, (res) => {
      let text = '';
      res.on('data', (d) => (text += d));
      res.on('end', () => resolve({ status: res.statusCode!, text }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

before(async () => {
  const npz = join(dir, 'tiny.npz');
  writeTinyMedmnist(npz, { train: { n: 48 }, val: { n: 16 } }, 28);
  const config = tinyConfig(npz);
  config.model.config.stages = [
    { channels: 4, attention: 'cbam' },
    { channels: 4, attention: 'se' },
  ];
  // the token CLI starts beside the training (each process start is seconds of module loading)
  const made = medattnAsync('token', 'new', '--token-file', join(dir, 'tokens'));
  run = await trainAndExport(dir, 'chest', config);
  const val = await readNpz(npz);
  const arr = val.get('val_images')!;
  for (const i of [0, 1, 2, 3]) {
    const file = join(dir, `val${i}.png`);
    await sharp(Buffer.from((arr.data as Uint8Array).subarray(i * 784, (i + 1) * 784)), {
      raw: { width: 28, height: 28, channels: 1 },
    })
      .toColourspace('b-w')
      .png()
      .toFile(file);
    images.push(file);
  }
  const tokenCli = await made;
  assert.equal(tokenCli.code, 0, tokenCli.stderr);
  token = tokenCli.stdout.trim();
  service = await startServe([
    '--run',
    run,
    '--token-file',
    join(dir, 'tokens'),
    '--max-upload-mb',
    '1',
    '--headers-timeout',
    '1',
    '--rate-limit',
    '0',
  ]);
});

after(async () => {
  await service?.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe('medattn serve on an exported attention CNN', () => {
  test('token new prints the token once and stores only its SHA-256', () => {
    assert.match(token, /^mdt_[A-Za-z0-9_-]{43}$/);
    const file = readFileSync(join(dir, 'tokens'), 'utf8');
    assert.equal(file, `sha256:${createHash('sha256').update(token).digest('hex')}\n`);
    assert.ok(!file.includes(token));
  });

  test('predict: probabilities equal medattn predict --engine onnx (1e-6), label at the threshold, served as the folder name', async () => {
    // what `medattn predict --engine onnx --json` runs (predictFiles over ONNX Runtime), here without a process start
    const onnx = await OnnxModel.load(join(run, 'model.onnx'));
    const want = await predictFiles(run, images, undefined, { infer: onnxInfer(onnx), looked: onnxLooked(onnx) });
    const meta = onnx.metadata;
    await onnx.release();
    const threshold = Number(meta['medattn.threshold']);
    for (const [i, file] of images.entries()) {
      const r = await predict(readFileSync(file));
      assert.equal(r.status, 200, r.text);
      assert.equal(r.json.model, 'chest');
      assert.deepEqual(Object.keys(r.json.probabilities), ['class 0', 'class 1']);
      for (const [k, p] of Object.entries(want[i].probabilities!))
        assert.ok(Math.abs(r.json.probabilities[k] - p) <= 1e-6, `${k}: ${r.json.probabilities[k]} vs ${p}`);
      assert.equal(r.json.label, want[i].predicted);
      assert.ok(want[i].probabilities);
      assert.equal(r.json.label, r.json.probabilities['class 1'] >= threshold ? 'class 1' : 'class 0');
      assert.equal(r.json.threshold, threshold);
    }
  });

  test("?maps=1: the attention map PNG is ONNX Runtime's spatial map (min-max, within one grey level) and the overlay colours it", async () => {
    const r = await predict(readFileSync(images[0]), { query: '?maps=1' });
    assert.equal(r.status, 200, r.text);
    // CBAM's spatial gate is the one picture; its channel gate and the SE block give one weight per channel
    assert.deepEqual(
      r.json.maps.attention.map((a: { name: string }) => a.name),
      ['stages.0.attention.spatial_gate.spatial'],
    );
    const [spatial] = r.json.maps.attention;
    assert.deepEqual(
      Object.values(r.json.maps.channelAttention).map((v) => (v as number[]).length),
      [4, 4],
    );
    const bytes = (url: string) => Buffer.from(url.split(',')[1], 'base64');
    const png = (url: string) => sharp(bytes(url)).raw().toBuffer({ resolveWithObject: true });
    const meta = await sharp(bytes(spatial.map)).metadata();
    assert.deepEqual([meta.width, meta.height, meta.channels], [28, 28, 1]);
    const map = await sharp(bytes(spatial.map)).extractChannel(0).raw().toBuffer({ resolveWithObject: true });
    const onnx = await OnnxModel.load(join(run, 'model.onnx'));
    const x = Float32Array.from((await readImage(images[0])).data, (v) => v / 255);
    const out = await onnx.run(x, [1, 1, 28, 28]);
    const want = normalizeMap(out.get('attention/stages.0.attention.spatial_gate.spatial')!.data);
    let worst = 0;
    for (let i = 0; i < want.length; i++) worst = Math.max(worst, Math.abs(map.data[i] - want[i] * 255));
    assert.ok(worst <= 0.5 + 1e-3, `map PNG differs from ONNX Runtime by ${worst} grey levels`);
    const overlay = await png(spatial.overlay);
    const hot = want.indexOf(Math.max(...want));
    const [R, G, B] = overlay.data.subarray(3 * hot, 3 * hot + 3);
    assert.ok(Math.max(Math.abs(R - G), Math.abs(R - B)) > 30, `overlay at the map's peak is grey: ${R},${G},${B}`);
    await onnx.release();
  });

  test('GET /v1/models: metadata and validation figures of the run', async () => {
    const r = await fetch(`${service.url}/v1/models`, { headers: { authorization: `Bearer ${token}` } });
    const { models } = (await r.json()) as { models: any[] };
    assert.equal(models.length, 1);
    assert.equal(models[0].name, 'chest');
    assert.deepEqual(models[0].inputSize, [28, 28]);
    const metrics = JSON.parse(readFileSync(join(run, 'metrics.json'), 'utf8'));
    assert.equal(models[0].validation.metrics.auroc, metrics.best.auroc);
  });

  test('no token or a wrong one: 401; the page, /healthz and /metrics need none', async () => {
    assert.equal((await predict(readFileSync(images[0]), { token: null })).status, 401);
    assert.equal((await predict(readFileSync(images[0]), { token: `${token.slice(0, -1)}x` })).status, 401);
    assert.equal((await fetch(`${service.url}/v1/models`)).status, 401);
    for (const path of [
      '/',
      '/healthz',
      '/readyz',
      '/metrics',
      '/assets/app.js',
      '/assets/ort/ort-wasm-simd-threaded.wasm',
    ])
      assert.equal((await fetch(service.url + path)).status, 200, path);
  });

  test('oversized upload: 413 (multipart and raw body)', async () => {
    const big = Buffer.alloc(2 * 1024 * 1024, 7);
    assert.equal((await predict(big)).status, 413);
    const raw = await rawRequest(
      '/v1/models/chest/predict',
      {
        authorization: `Bearer ${token}`,
        'content-type': 'application/octet-stream',
        'content-length': String(big.length),
      },
      big,
    );
    assert.equal(raw.status, 413);
  });

  test('malformed multipart or no file field: 400', async () => {
    const bad = Buffer.from('--XYZ\r\nContent-Disposition: form-data; name="file"; filename="a.png"\r\n\r\nabc');
    const r = await rawRequest(
      '/v1/models/chest/predict',
      { authorization: `Bearer ${token}`, 'content-type': 'multipart/form-data; boundary=XYZ' },
      bad,
    );
    assert.equal(r.status, 400, r.text);
    assert.equal((await predict(readFileSync(images[0]), { field: 'image' })).status, 400);
  });

  test('corrupted PNG, DICOM and NIfTI: 422 with one line, and the server keeps serving', async () => {
    const png = readFileSync(images[0]);
    const nifti = Buffer.alloc(400);
    nifti.writeInt32LE(348, 0);
    nifti.writeInt16LE(2, 40);
    nifti.writeInt16LE(-5, 42); // negative dimension
    const cases = [
      png.subarray(0, png.length - 30),
      readFileSync(join(PYDICOM, 'MR_truncated.dcm')),
      nifti,
      Buffer.from('not an image at all'),
    ];
    for (const body of cases) {
      const r = await predict(body);
      assert.equal(r.status, 422, r.text);
      assert.match(r.json.error, /^upload: [^\n]+$/);
    }
    assert.equal((await predict(png)).status, 200);
    assert.equal((await fetch(`${service.url}/healthz`)).status, 200);
  });

  test('a client that never finishes its headers is cut off (--headers-timeout 1)', async () => {
    const { hostname, port } = new URL(service.url);
    const started = performance.now();
    const closed = await new Promise<string>((resolve) => {
      const socket = connect(Number(port), hostname, () =>
        socket.write(`POST /v1/models/chest/predict HTTP/1.1\r\nHost: ${hostname}\r\nX-Slow: `),
      );
      let got = '';
      socket.on('data', (d) => (got += d));
      socket.on('close', () => resolve(got));
      setTimeout(() => socket.destroy(), 10_000);
    });
    const seconds = (performance.now() - started) / 1000;
    assert.ok(seconds < 5, `closed after ${seconds.toFixed(1)} s`);
    assert.match(closed, /^HTTP\/1\.1 408/);
  });

  test('model names with ../ are 404, never a path', async () => {
    const auth = { authorization: `Bearer ${token}`, 'content-type': 'image/png' };
    for (const path of [
      '/v1/models/../../../etc/passwd/predict',
      '/v1/models/..%2F..%2Fetc%2Fpasswd/predict',
      '/v1/models/..%2Fchest/predict',
    ])
      assert.equal((await rawRequest(path, auth, readFileSync(images[0]))).status, 404, path);
    assert.equal(
      (await rawRequest('/v1/models/..%2Fchest/model.onnx', { authorization: `Bearer ${token}` })).status,
      404,
    );
  });

  test("a real DICOM's patient name and ID appear in neither the answer nor the log", async () => {
    // CT_small.dcm: PatientName CompressedSamples^CT1, PatientID 1CT1 (read with pydicom when the test was written)
    const r = await predict(readFileSync(join(PYDICOM, 'CT_small.dcm')), { query: '?maps=1' });
    assert.equal(r.status, 200, r.text);
    assert.equal(r.json.image.format, 'dicom');
    for (const phi of ['CompressedSamples', '1CT1']) {
      assert.ok(!r.text.includes(phi), `answer holds ${phi}`);
      assert.ok(!service.stdout().includes(phi), `log holds ${phi}`);
    }
  });

  test('/metrics: requests by route and status, errors by kind, latency histogram, queue depth', async () => {
    const text = await (await fetch(`${service.url}/metrics`)).text();
    const value = (re: RegExp) => Number(re.exec(text)?.[1]);
    assert.ok(value(/medattn_http_requests_total\{route="\/v1\/models\/:name\/predict",status="200"\} (\d+)/) >= 6);
    assert.ok(value(/medattn_errors_total\{kind="unauthorized"\} (\d+)/) >= 3);
    assert.equal(value(/medattn_errors_total\{kind="undecodable"\} (\d+)/), 4);
    assert.match(
      text,
      /medattn_http_request_duration_seconds_bucket\{le="0.1",route="\/v1\/models\/:name\/predict"\} \d+/,
    );
    assert.match(text, /medattn_queue_depth\{model="chest"\} 0/);
    assert.match(text, /medattn_process_resident_memory_bytes \d+/);
  });

  test('logs are JSON lines without tokens', () => {
    const lines = service.stdout().trim().split('\n');
    assert.ok(lines.length > 10);
    for (const line of lines) JSON.parse(line);
    assert.ok(!service.stdout().includes(token));
  });
});

describe('micro-batching', () => {
  test('images submitted together share forward passes and get the outputs of single-image runs (1e-6)', async () => {
    const onnx = await OnnxModel.load(join(run, 'model.onnx'), { threads: 1 });
    const batches: number[] = [];
    const queue = new BatchQueue(
      (data, shape) => onnx.run(data, shape),
      { maxBatch: 4, maxWaitMs: 5, maxQueue: 6 },
      (n) => batches.push(n),
    );
    const inputs = await Promise.all(
      images.map(async (f) => Float32Array.from((await readImage(f)).data, (v) => v / 255)),
    );
    const all = [...inputs, ...inputs.slice(0, 2)];
    const outs = await Promise.all(all.map((x) => queue.submit(x, [1, 28, 28])));
    assert.deepEqual(batches, [4, 2]);
    for (const [i, x] of all.entries()) {
      const single = (await onnx.run(x, [1, 1, 28, 28])).get('probabilities')!.data;
      const batched = outs[i].get('probabilities')!;
      assert.deepEqual(batched.dims, [1, 2]);
      for (let k = 0; k < 2; k++) assert.ok(Math.abs(batched.data[k] - single[k]) <= 1e-6);
    }
    // bounded: 4 go into a batch at once, 6 wait behind it (maxQueue), the 11th is refused at once
    const waiting = Array.from({ length: 11 }, () =>
      queue.submit(inputs[0], [1, 28, 28]).then(
        () => 'ok',
        (e) => e,
      ),
    );
    const settled = await Promise.all(waiting);
    assert.equal(settled.filter((s) => s instanceof QueueFullError).length, 1);
    await onnx.release();
  });
});

describe('HTTPS, rate limit and CORS (in-process service over the same run)', () => {
  test('with --cert/--key it speaks TLS; past --rate-limit a token gets 429; only listed origins get CORS headers', async () => {
    const pem = join(dir, 'tls');
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'rsa:2048',
        '-nodes',
        '-days',
        '1',
        '-subj',
        '/CN=127.0.0.1',
        '-addext',
        'subjectAltName=IP:127.0.0.1',
        '-keyout',
        `${pem}.key`,
        '-out',
        `${pem}.crt`,
      ],
      { stdio: 'ignore' },
    );
    const svc = await createService({
      ...defaultServeOptions,
      runs: [run],
      port: 0,
      tokenFile: join(dir, 'tokens'),
      cert: `${pem}.crt`,
      key: `${pem}.key`,
      rateLimit: 3,
      corsOrigins: ['https://pacs.example.org'],
      log: false,
    });
    await svc.app.listen({ host: '127.0.0.1', port: 0 });
    const { port } = svc.app.server.address() as { port: number };
    const get = (path: string, headers: Record<string, string>) =>
      new Promise<{ status: number; headers: Record<string, unknown> }>((resolve, reject) => {
        const req = httpsRequest({ host: '127.0.0.1', port, path, headers, ca: readFileSync(`${pem}.crt`) }, (res) => {
          res.resume();
          res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers }));
        });
        req.on('error', reject);
        req.end();
      });
    const auth = { authorization: `Bearer ${token}` };
    try {
      const statuses = [];
      for (let i = 0; i < 4; i++) statuses.push((await get('/v1/models', auth)).status);
      assert.deepEqual(statuses, [200, 200, 200, 429]);
      assert.equal((await get('/healthz', {})).status, 200); // health checks are not rate limited
      const listed = await get('/healthz', { origin: 'https://pacs.example.org' });
      assert.equal(listed.headers['access-control-allow-origin'], 'https://pacs.example.org');
      const other = await get('/healthz', { origin: 'https://evil.example.com' });
      assert.equal(other.headers['access-control-allow-origin'], undefined);
      assert.match(String(listed.headers['strict-transport-security']), /max-age=/);
    } finally {
      await svc.app.close();
    }
  });
});

describe('admission (in-process service over the same run)', () => {
  test('past --max-queue plus one batch of requests in progress, the next gets 503 before its body is read; served again after', async () => {
    const svc = await createService({
      ...defaultServeOptions,
      runs: [run],
      port: 0,
      rateLimit: 0,
      log: false,
      batch: { maxBatch: 1, maxWaitMs: 2, maxQueue: 1 },
    });
    await svc.app.listen({ host: '127.0.0.1', port: 0 });
    const { port } = svc.app.server.address() as { port: number };
    const url = `http://127.0.0.1:${port}/v1/models/chest/predict`;
    const body = readFileSync(images[0]);
    const send = () => fetch(url, { method: 'POST', body, headers: { 'content-type': 'image/png' } });
    try {
      // two uploads that sent their headers and part of their body: admitted, waiting for the rest
      const slow = [0, 1].map(() => {
        const req = httpRequest({
          host: '127.0.0.1',
          port,
          path: '/v1/models/chest/predict',
          method: 'POST',
          headers: { 'content-type': 'image/png', 'content-length': String(body.length) },
        });
        const status = new Promise<number>((resolve, reject) => {
          req.on('response', (res) => {
            res.resume();
            res.on('end', () => resolve(res.statusCode!));
          });
          req.on('error', reject);
        });
        req.write(body.subarray(0, 50));
        return { req, status };
      });
      await new Promise((r) => setTimeout(r, 500));
      const started = performance.now();
      const refused = await send();
      const ms = performance.now() - started;
      assert.equal(refused.status, 503);
      assert.equal(refused.headers.get('retry-after'), '1');
      assert.match(((await refused.json()) as { error: string }).error, /^overloaded/);
      assert.ok(ms < 2000, `refused after ${ms.toFixed(0)} ms`);
      for (const s of slow) s.req.end(body.subarray(50));
      assert.deepEqual(await Promise.all(slow.map((s) => s.status)), [200, 200]);
      assert.equal((await send()).status, 200);
    } finally {
      await svc.app.close();
    }
  });
});

describe('graceful shutdown', () => {
  test('SIGTERM: a request in flight finishes with 200, /readyz and new requests fail, exit code 0', async () => {
    const { hostname, port } = new URL(service.url);
    const body = readFileSync(images[1]);
    // half of the body now, the rest after SIGTERM
    const response = new Promise<{ status: number; text: string }>((resolve, reject) => {
      const req = httpRequest(
        {
          host: hostname,
          port,
          path: '/v1/models/chest/predict',
          method: 'POST',
          headers: {
            authorization: `Bearer ${token}`,
            'content-type': 'image/png',
            'content-length': String(body.length),
          },
        },
        (res) => {
          let text = '';
          res.on('data', (d) => (text += d));
          res.on('end', () => resolve({ status: res.statusCode!, text }));
        },
      );
      req.on('error', reject);
      req.write(body.subarray(0, 50));
      setTimeout(() => {
        service.proc.kill('SIGTERM');
        setTimeout(() => req.end(body.subarray(50)), 300);
      }, 200);
    });
    const r = await response;
    assert.equal(r.status, 200, r.text);
    assert.ok(JSON.parse(r.text).probabilities);
    assert.equal(await service.exited, 0);
    await assert.rejects(fetch(`${service.url}/healthz`));
  });
});
