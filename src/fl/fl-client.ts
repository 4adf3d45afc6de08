/**
 * `medattn fl client`: one site. Polls the server for a task (HTTPS, TLS 1.3, the site's bearer token, the
 * server's certificate checked against `ca`), downloads the global weights (SHA-256 checked), trains locally
 * on its own data (src/fl/local-training.ts; FedProx's proximal term; FedBN keeps its batch-norm entries),
 * and uploads its new weights as safetensors with their SHA-256 and sample count. Network errors (a server
 * restarting after a crash) are retried, so a site rejoins by itself; it exits when the server says done.
 * When the server runs secure aggregation (src/fl/secure-round.ts) the site keeps its trained weights, posts a
 * fresh masking key, and uploads them only masked once the server relays the other members' keys (again under
 * new keys if the server repeats the key exchange after a member dropped).
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
import { generateMaskingKeys, type MaskingKeys } from './secure-aggregation.js';
import { maskedUpload, type Member } from './secure-round.js';
import type { State } from './state-vector.js';

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
  status: 'train' | 'wait' | 'done' | 'keys' | 'mask';
  round?: number;
  localEpochs?: number;
  algorithm?: FlAlgorithm;
  mu?: number;
  sha256?: string;
  secureAggregation?: boolean;
  attempt?: number;
  dp?: { clipNorm: number; noiseMultiplier: number };
  members?: Member[];
}

/** A secure round's trained weights, held until they are uploaded masked. */
interface Held {
  round: number;
  attempt: number;
  global: State;
  trained: State;
  samples: number;
  loss: number;
  keys: MaskingKeys;
  dp?: { clipNorm: number; noiseMultiplier: number };
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

  let held: Held | undefined;
  let site = '';
  // Posts a fresh masking key for the held weights (a new key pair for every attempt: no mask repeats).
  const announce = async (h: Held) => {
    h.keys = generateMaskingKeys();
    const body = new TextEncoder().encode(
      JSON.stringify({ publicKey: h.keys.publicKey, samples: h.samples, loss: h.loss }),
    );
    const reply = await call('POST', `/v1/keys?round=${h.round}&attempt=${h.attempt}`, body, {
      'content-type': 'application/json',
    });
    if (reply.status !== 200)
      log(`fl client: round ${h.round}: masking key refused (${reply.status}: ${reply.body.toString('utf8').trim()})`);
    else log(`fl client: round ${h.round}: masking key sent (attempt ${h.attempt})`);
  };

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
        if (/ALERT_CERTIFICATE_REQUIRED/.test(String(code)))
          throw new FlError('--cert', `the server requires a client certificate (mutual TLS); give --cert and --key`);
        if (/ALERT_(BAD_CERTIFICATE|UNKNOWN_CA|CERTIFICATE_UNKNOWN|DECRYPT_ERROR)/.test(String(code)))
          throw new FlError('--cert', `the server refused this site's client certificate (${code})`);
        if (/CERT|SELF_SIGNED|UNABLE_TO_VERIFY|ERR_TLS/i.test(String(code)))
          throw new FlError('--ca', `the server's certificate is not trusted (${code})`);
        unreachableSince ??= Date.now();
        if (Date.now() - unreachableSince > patience)
          throw new FlError('--server', `cannot reach ${o.server} for ${patience / 1000} s (${code})`);
        await pause();
        continue;
      }
      if (task.status === 'done') break;
      if (task.status === 'wait') {
        await pause();
        continue;
      }
      const round = task.round!;
      try {
        if (task.status === 'keys' || task.status === 'mask') {
          // Secure aggregation, after training: a repeated key exchange, or the members to mask for.
          if (!held || held.round !== round) {
            log(`fl client: round ${round}: no trained weights held for it (restarted?); waiting for the next round`);
            await pause();
            continue;
          }
          if (task.status === 'keys') {
            held.attempt = task.attempt!;
            await announce(held);
            continue;
          }
          // Our own entry is the member whose public key is ours.
          site = task.members!.find((m) => m.publicKey === held!.keys.publicKey)?.site ?? '';
          if (!site || task.attempt !== held.attempt) {
            log(`fl client: round ${round}: this site's key is not among the members of attempt ${task.attempt}`);
            await pause();
            continue;
          }
          const bytes = maskedUpload({ ...held, self: site, members: task.members!, attempt: task.attempt! });
          const reply = await call('POST', `/v1/update?round=${round}&attempt=${task.attempt}`, bytes, {
            'content-type': 'application/octet-stream',
            'content-length': String(bytes.length),
            [HEADER_SHA256]: createHash('sha256').update(bytes).digest('hex'),
          });
          if (reply.status === 200) {
            if (!rounds.includes(round)) rounds.push(round);
            log(
              `fl client: round ${round}: masked update accepted (attempt ${task.attempt}, ${task.members!.length} members)`,
            );
          } else
            log(
              `fl client: round ${round}: masked update refused (${reply.status}: ${reply.body.toString('utf8').trim()})`,
            );
          continue;
        }
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
        if (task.secureAggregation) {
          held = {
            round,
            attempt: 0,
            global,
            trained: modelState(run.model),
            samples: result.samples,
            loss: result.loss,
            keys: generateMaskingKeys(),
            dp: task.dp ? { clipNorm: task.dp.clipNorm, noiseMultiplier: task.dp.noiseMultiplier } : undefined,
          };
          log(
            `fl client: round ${round}: trained ${((Date.now() - started) / 1000).toFixed(1)} s, loss ${result.loss.toFixed(4)}`,
          );
          await announce(held);
          continue;
        }
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
