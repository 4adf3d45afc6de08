/**
 * `medattn fl client`: one site. Polls the server for a task (HTTPS, TLS 1.3, the site's bearer token, the
 * server's certificate checked against `ca`), downloads the global weights (SHA-256 checked), trains locally
 * on its own data (src/fl/local-training.ts; FedProx's proximal term; FedBN keeps its batch-norm entries),
 * and uploads its new weights as safetensors with their SHA-256 and sample count. Network errors (a server
 * restarting after a crash) are retried, so a site rejoins by itself; it exits when the server says done.
 */
import { request } from 'node:https';
import { createHash } from 'node:crypto';
import { encodeSafetensors, decodeSafetensors } from '../tensor/safetensors.js';
import { manualSeed } from '../tensor/index.js';
import { setupRun } from '../train/trainer.js';
import type { TrainingConfig } from '../train/config.js';
import { batchNormKeys } from './aggregate.js';
import { loadModelState, modelState } from './model-state.js';
import { trainLocally } from './local-training.js';
import { HEADER_LOSS, HEADER_SAMPLES, HEADER_SHA256, type FlAlgorithm } from './fl-server.js';
import { FlError } from './fl-error.js';

export interface FlClientOptions {
  config: TrainingConfig;
  server: string;
  token: string;
  ca?: Uint8Array;
  /** Mutual TLS: this site's certificate and key. */
  cert?: Uint8Array;
  key?: Uint8Array;
  pollMs?: number;
  /** Give up after this long without reaching the server. */
  patienceMs?: number;
  log?: (line: string) => void;
}

interface Task {
  status: 'train' | 'wait' | 'done';
  round?: number;
  localEpochs?: number;
  algorithm?: FlAlgorithm;
  mu?: number;
  sha256?: string;
}

interface Reply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}

export async function runFlClient(o: FlClientOptions): Promise<{ rounds: number[] }> {
  const log = o.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  manualSeed(o.config.training.seed);
  const run = await setupRun(o.config);
  const localBn = batchNormKeys(run.model);
  const rounds: number[] = [];
  const base = new URL(o.server);
  const call = (method: string, path: string, body?: Uint8Array, headers: Record<string, string> = {}) =>
    new Promise<Reply>((resolve, reject) => {
      const req = request(
        {
          method,
          host: base.hostname,
          port: base.port || 443,
          path,
          ca: o.ca ? Buffer.from(o.ca) : undefined,
          cert: o.cert ? Buffer.from(o.cert) : undefined,
          key: o.key ? Buffer.from(o.key) : undefined,
          minVersion: 'TLSv1.3',
          headers: { authorization: `Bearer ${o.token}`, ...headers },
          timeout: 60_000,
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () =>
            resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }),
          );
          res.on('error', reject);
        },
      );
      req.on('timeout', () => req.destroy(new Error('timed out')));
      req.on('error', reject);
      req.end(body ? Buffer.from(body) : undefined);
    });

  let unreachableSince: number | undefined;
  const patience = o.patienceMs ?? 120_000;
  const pause = () => new Promise((r) => setTimeout(r, o.pollMs ?? 500));
  try {
    for (;;) {
      let task: Task;
      try {
        const reply = await call('GET', '/v1/task');
        if (reply.status === 401) throw new FlError('--token', `the server at ${o.server} refused this site's token`);
        task = JSON.parse(reply.body.toString('utf8'));
        unreachableSince = undefined;
      } catch (e) {
        if (e instanceof FlError) throw e;
        const code = (e as NodeJS.ErrnoException).code ?? (e as Error).message;
        if (/CERT|SELF_SIGNED|UNABLE_TO_VERIFY|ERR_TLS/i.test(String(code)))
          throw new FlError('--ca', `the server's certificate is not trusted (${code})`);
        unreachableSince ??= Date.now();
        if (Date.now() - unreachableSince > patience)
          throw new FlError('--server', `cannot reach ${o.server} for ${patience / 1000} s (${code})`);
        await pause();
        continue;
      }
      if (task.status === 'done') break;
      if (task.status !== 'train') {
        await pause();
        continue;
      }
      const round = task.round!;
      try {
        const model = await call('GET', '/v1/model');
        const sha = createHash('sha256').update(model.body).digest('hex');
        if (model.status !== 200 || sha !== task.sha256 || sha !== model.headers[HEADER_SHA256]) {
          log(`fl client: round ${round}: global weights failed their checksum; asking again`);
          await pause();
          continue;
        }
        const global = decodeSafetensors(new Uint8Array(model.body), 'global weights').tensors;
        // FedBN: the site's batch-norm weights and statistics stay its own after the first round.
        const keep = task.algorithm === 'fedbn' && rounds.length > 0 ? localBn : new Set<string>();
        loadModelState(run.model, global, keep);
        const started = Date.now();
        const result = await trainLocally(run, o.config, {
          epochs: task.localEpochs ?? 1,
          mu: task.algorithm === 'fedprox' ? (task.mu ?? 0) : 0,
          round,
        });
        const bytes = encodeSafetensors(modelState(run.model), { round: String(round) });
        const reply = await call('POST', `/v1/update?round=${round}`, bytes, {
          'content-type': 'application/octet-stream',
          'content-length': String(bytes.length),
          [HEADER_SHA256]: createHash('sha256').update(bytes).digest('hex'),
          [HEADER_SAMPLES]: String(result.samples),
          [HEADER_LOSS]: String(result.loss),
        });
        if (reply.status === 200) {
          rounds.push(round);
          log(
            `fl client: round ${round}: trained ${((Date.now() - started) / 1000).toFixed(1)} s, loss ${result.loss.toFixed(4)}, update accepted`,
          );
        } else
          log(`fl client: round ${round}: update refused (${reply.status}: ${reply.body.toString('utf8').trim()})`);
      } catch (e) {
        if (e instanceof FlError) throw e;
        log(`fl client: round ${round}: ${(e as Error).message}; retrying`);
        await pause();
      }
    }
  } finally {
    await run.trainLoader.close();
    await run.valLoader.close();
  }
  log(`fl client: done (took part in rounds ${rounds.join(', ') || 'none'})`);
  return { rounds };
}
