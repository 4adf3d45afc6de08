/**
 * `medattn fl server`: coordinates federated rounds over HTTPS (TLS 1.3 only; mutual TLS when a client CA is
 * given). Each site authenticates with its own bearer token (compared in constant time). Per round the server
 * samples a cohort of sites, serves the global weights (safetensors, SHA-256 in a header), and accepts one
 * update per cohort site for that round: a safetensors file of the site's new weights, at most `maxUpdateBytes`,
 * whose SHA-256 must match its header and whose tensors must match the model's names and shapes. Anything
 * else (wrong token, replayed or stale round, second update, oversized, corrupted, another architecture) is
 * refused with one line in the server log and does not touch the round. A round ends when the whole cohort has
 * answered, or at its timeout with at least `minClients` updates (the silent sites are dropped from that
 * round and may rejoin later); with fewer it starts again with a new cohort. The aggregate (FedAvg weighted by
 * sample counts; FedProx and FedBN differ on the clients) is evaluated on the server's validation data, and
 * the run folder is kept like `train`'s: config.json, model.json, best.safetensors, metrics.json, log.jsonl and
 * fl-state.json + global.safetensors, written atomically after each round, so a server killed with kill -9
 * resumes from the last completed round. At the end it writes report.html like `train` (src/train/report).
 *
 * With `secureAggregation` the server never sees one site's weights (src/fl/secure-round.ts): after training,
 * the cohort's sites exchange X25519 public keys through the server, then each uploads its sample-weighted
 * weights fixed-point encoded and masked so that only the sum unmasks. A site that drops after the key
 * exchange leaves masks that cannot be removed: the masked uploads are discarded and the key exchange is
 * repeated with the remaining sites (who mask the same trained weights again under fresh keys).
 */
import { createServer, type Server } from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createHash, timingSafeEqual } from 'node:crypto';
import { appendFileSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { decodeSafetensors, encodeSafetensors } from '../tensor/safetensors.js';
import { manualSeed } from '../tensor/index.js';
import { setupRun, metricsSummary, type EpochRecord } from '../train/trainer.js';
import { evaluateClassifier } from '../train/evaluate-model.js';
import { writeFileAtomic } from '../train/run-folder-files.js';
import type { TrainingConfig } from '../train/config.js';
import { fedAvg, type ClientState } from './aggregate.js';
import { architectureMismatch, loadModelState, modelState, type StateRecords } from './model-state.js';
import { FlError } from './fl-error.js';
import { dpFedAvgEpsilon, dpFedAvgStates } from './dp-fedavg.js';
import { isMaskingPublicKey } from './secure-aggregation.js';
import { fixMembers, maskedSumState, newSecureRound, readMaskedUpload, type SecureRound } from './secure-round.js';
import { writeReport } from '../train/report/report.js';
import type { AttentionModel } from '../models/attention-model.js';

export type FlAlgorithm = 'fedavg' | 'fedprox' | 'fedbn';

export interface FlServerOptions {
  config: TrainingConfig;
  out: string;
  /** site name -> token */
  tokens: Record<string, string>;
  tls: { key: Uint8Array; cert: Uint8Array; clientCa?: Uint8Array };
  host: string;
  port: number;
  rounds: number;
  clientsPerRound: number;
  minClients: number;
  localEpochs: number;
  algorithm: FlAlgorithm;
  mu: number;
  roundTimeoutMs: number;
  maxUpdateBytes: number;
  seed: number;
  /** DP-FedAvg: clip each site's update to clipNorm, add noise at aggregation (uniform site weights). */
  dp?: { clipNorm: number; noiseMultiplier: number; delta: number };
  /** Pairwise-masked uploads: the server learns only the cohort's sum (needs >= 2 sites per round). */
  secureAggregation?: boolean;
  /** Audit: write every accepted upload, as received, into this folder. */
  saveReceived?: string;
  log?: (line: string) => void;
}

interface RoundState {
  round: number;
  cohort: string[];
  updates: Map<string, ClientState>;
  deadline: number;
  secure?: SecureRound;
}

interface PersistedState {
  completedRounds: number;
  history: EpochRecord[];
  bestRound: number | null;
  bestValue: number | null;
}

export const HEADER_SHA256 = 'x-medattn-sha256';
export const HEADER_SAMPLES = 'x-medattn-samples';
export const HEADER_LOSS = 'x-medattn-train-loss';

export async function runFlServer(o: FlServerOptions): Promise<{ history: EpochRecord[]; port: number }> {
  const log = o.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  mkdirSync(o.out, { recursive: true });
  manualSeed(o.seed);
  const run = await setupRun(o.config);
  const { model, valLoader, lossFn } = run;
  const statePath = join(o.out, 'fl-state.json');
  const globalPath = join(o.out, 'global.safetensors');
  const monitor = o.config.training.monitor ?? 'auroc';
  let persisted: PersistedState = { completedRounds: 0, history: [], bestRound: null, bestValue: null };
  if (existsSync(statePath) && existsSync(globalPath)) {
    persisted = JSON.parse(readFileSync(statePath, 'utf8'));
    loadModelState(model, decodeSafetensors(readFileSync(globalPath), globalPath).tensors);
    log(`fl server: resuming after round ${persisted.completedRounds} from ${o.out}`);
  } else {
    writeFileAtomic(join(o.out, 'config.json'), JSON.stringify(o.config, null, 2));
    writeFileAtomic(
      join(o.out, 'model.json'),
      JSON.stringify({ ...model.toJSON(), task: o.config.task, classNames: run.valSet.classNames }, null, 2),
    );
    writeFileAtomic(globalPath, encodeSafetensors(modelState(model), { round: '0' }));
    writeFileAtomic(join(o.out, 'log.jsonl'), '');
  }
  const expected = modelState(model);
  let globalBytes: Uint8Array = readFileSync(globalPath);
  let globalSha = sha256(globalBytes);
  const sites = Object.keys(o.tokens);
  const tokenBuffers = sites.map((s) => [s, Buffer.from(o.tokens[s])] as const);
  let current: RoundState | undefined;
  let finished = persisted.completedRounds >= o.rounds;
  let rng = o.seed * 7919 + persisted.completedRounds;

  const siteOf = (req: IncomingMessage): string | undefined => {
    const auth = req.headers.authorization ?? '';
    const token = Buffer.from(auth.startsWith('Bearer ') ? auth.slice(7) : '');
    for (const [site, t] of tokenBuffers) if (t.length === token.length && timingSafeEqual(t, token)) return site;
    return undefined;
  };

  const startRound = () => {
    const round = persisted.completedRounds + 1;
    // Seeded sampling of the cohort (a linear congruential shuffle: reproducible, not secret).
    const order = [...sites];
    for (let i = order.length - 1; i > 0; i--) {
      rng = (Math.imul(rng, 1103515245) + 12345) >>> 0;
      const j = rng % (i + 1);
      [order[i], order[j]] = [order[j], order[i]];
    }
    current = {
      round,
      cohort: order.slice(0, Math.min(o.clientsPerRound, order.length)).sort(),
      updates: new Map(),
      deadline: Date.now() + o.roundTimeoutMs,
    };
    if (o.secureAggregation) current.secure = newSecureRound(current.cohort);
    log(`fl server: round ${round}: cohort ${current.cohort.join(', ')}`);
  };

  const refuse = (res: ServerResponse, status: number, site: string, why: string) => {
    log(`fl server: refused ${site}: ${why}`);
    res.writeHead(status, { 'content-type': 'text/plain' }).end(`${why}\n`);
  };

  let finishing: Promise<void> | undefined;
  const finishRound = async () => {
    const r = current!;
    current = undefined;
    const started = Date.now();
    const global = decodeSafetensors(globalBytes, 'global weights').tensors;
    // Who contributed (sample counts, losses): the updates, or under secure aggregation the key announcements.
    const states: Omit<ClientState, 'tensors'>[] = r.secure
      ? r.secure.members.map((m) => ({ site: m.site, samples: m.samples, loss: r.secure!.keys.get(m.site)?.loss }))
      : [...r.updates.values()];
    const aggregate = r.secure
      ? maskedSumState(
          global,
          r.secure.members.map((m) => r.secure!.masked.get(m.site)!),
          Boolean(o.dp),
        )
      : o.dp
        ? dpFedAvgStates(
            global,
            [...r.updates.values()].map((c) => c.tensors),
            o.dp.clipNorm,
            o.dp.noiseMultiplier,
          )
        : fedAvg([...r.updates.values()]);
    loadModelState(model, aggregate);
    // A diverged aggregate (NaN outputs) is recorded without metrics rather than stopping the server.
    let evaluation: { loss: number; metrics: unknown };
    try {
      evaluation = await evaluateClassifier(model, valLoader, { lossFn });
    } catch (e) {
      log(`fl server: round ${r.round}: the aggregate could not be evaluated (${(e as Error).message})`);
      evaluation = { loss: NaN, metrics: {} };
    }
    const record: EpochRecord = {
      epoch: r.round - 1,
      round: r.round,
      lr: o.config.optimizer.lr,
      // The sites' own mean training losses, weighted like their updates.
      train_loss:
        states.reduce((s, c) => s + c.samples * (c.loss ?? NaN), 0) / states.reduce((s, c) => s + c.samples, 0),
      val_loss: evaluation.loss,
      seconds: (Date.now() - started) / 1000,
      clients: states.map((c) => c.site),
      samples: states.reduce((s, c) => s + c.samples, 0),
      ...(evaluation.metrics as Record<string, unknown>),
    };
    if (o.dp)
      record.epsilon = dpFedAvgEpsilon(sites.length, o.clientsPerRound, o.dp.noiseMultiplier, r.round, o.dp.delta);
    const value = Number(record[monitor]);
    const improved = Number.isFinite(value) && (persisted.bestValue === null || value > persisted.bestValue);
    globalBytes = encodeSafetensors(aggregate, { round: String(r.round) });
    globalSha = sha256(globalBytes);
    if (improved) {
      writeFileAtomic(
        join(o.out, 'best.safetensors'),
        encodeSafetensors(aggregate, {
          epoch: String(r.round - 1),
          monitor,
          value: String(value),
          model: JSON.stringify(model.toJSON()),
        }),
      );
    }
    persisted = {
      completedRounds: r.round,
      history: [...persisted.history, record],
      bestRound: improved ? r.round : persisted.bestRound,
      bestValue: improved ? value : persisted.bestValue,
    };
    // Weights first, then the state naming them: a kill between the two redoes this round, losing nothing.
    writeFileAtomic(globalPath, globalBytes);
    writeFileAtomic(join(o.out, 'last.safetensors'), globalBytes);
    writeFileAtomic(statePath, JSON.stringify(persisted));
    appendFileSync(join(o.out, 'log.jsonl'), `${JSON.stringify(record)}\n`);
    const best = persisted.bestRound === null ? undefined : persisted.bestRound - 1;
    writeFileAtomic(
      join(o.out, 'metrics.json'),
      JSON.stringify(metricsSummary(persisted.history, monitor, best), null, 2),
    );
    log(
      `fl server: round ${r.round}/${o.rounds} from ${states.length} sites (${record.samples} samples): ${monitor} ${value.toFixed(4)} val_loss ${evaluation.loss.toFixed(4)}`,
    );
    if (r.round >= o.rounds) finished = true;
    else startRound();
  };

  const need = Math.max(o.minClients, o.secureAggregation ? 2 : 1);
  const restartRound = (why: string) => {
    log(`fl server: round ${current!.round}: ${why}; starting it again`);
    current = undefined;
    startRound();
  };
  // Secure aggregation: the key phase, then the masked phase; a member missing at the masked phase's timeout
  // makes the attempt unusable, so it is repeated with the members that did upload.
  const tickSecure = (r: RoundState, sec: SecureRound) => {
    const late = Date.now() >= r.deadline;
    if (sec.phase === 'keys') {
      const complete = sec.eligible.every((s) => sec.keys.has(s));
      if (!complete && !late) return;
      if (sec.keys.size < need)
        return restartRound(`${sec.keys.size} of ${need} required sites sent their masking keys by the timeout`);
      if (!complete)
        log(
          `fl server: round ${r.round}: dropped ${sec.eligible.filter((s) => !sec.keys.has(s)).join(', ')} (no masking key within ${o.roundTimeoutMs / 1000} s)`,
        );
      fixMembers(sec);
      r.deadline = Date.now() + o.roundTimeoutMs;
      log(
        `fl server: round ${r.round}: secure aggregation attempt ${sec.attempt}: masking among ${sec.members.map((m) => m.site).join(', ')}`,
      );
      return;
    }
    if (sec.members.every((m) => sec.masked.has(m.site))) {
      finishing = finishRound().finally(() => (finishing = undefined));
      return;
    }
    if (!late) return;
    const missing = sec.members.filter((m) => !sec.masked.has(m.site)).map((m) => m.site);
    const uploaded = sec.members.filter((m) => sec.masked.has(m.site)).map((m) => m.site);
    if (uploaded.length < need)
      return restartRound(
        `secure aggregation: ${missing.join(', ')} sent a key but no masked update, ${uploaded.length} of ${need} required sites left`,
      );
    log(
      `fl server: round ${r.round}: secure aggregation: ${missing.join(', ')} sent a key but no masked update; its masks cannot be removed, so the masked updates are discarded and the key exchange is repeated with ${uploaded.join(', ')} (attempt ${sec.attempt + 1})`,
    );
    r.secure = newSecureRound(uploaded, sec.attempt + 1);
    r.deadline = Date.now() + o.roundTimeoutMs;
  };

  const tick = () => {
    if (!current || finishing) return;
    if (current.secure) return tickSecure(current, current.secure);
    const complete = current.cohort.every((s) => current!.updates.has(s));
    const late = Date.now() >= current.deadline;
    if (complete || (late && current.updates.size >= o.minClients)) {
      if (!complete)
        log(
          `fl server: round ${current.round}: dropped ${current.cohort.filter((s) => !current!.updates.has(s)).join(', ')} (no update within ${o.roundTimeoutMs / 1000} s)`,
        );
      finishing = finishRound().finally(() => (finishing = undefined));
    } else if (late) restartRound(`${current.updates.size} of ${o.minClients} required updates at the timeout`);
  };

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', 'https://localhost');
    const site = siteOf(req);
    if (!site) return refuse(res, 401, req.socket.remoteAddress ?? 'unknown', 'wrong or missing token');
    if (req.method === 'GET' && url.pathname === '/v1/task') {
      if (finished) return json(res, { status: 'done', rounds: persisted.completedRounds });
      if (!current || finishing || !current.cohort.includes(site) || current.updates.has(site))
        return json(res, { status: 'wait' });
      const sec = current.secure;
      const train = {
        status: 'train',
        round: current.round,
        localEpochs: o.localEpochs,
        algorithm: o.algorithm,
        mu: o.mu,
        sha256: globalSha,
        // Under secure aggregation the sites clip and noise their own updates (the server cannot).
        ...(sec ? { secureAggregation: true, attempt: 0, dp: o.dp } : {}),
      };
      if (!sec) return json(res, train);
      if (sec.phase === 'keys' && sec.eligible.includes(site) && !sec.keys.has(site))
        return json(res, sec.attempt === 0 ? train : { status: 'keys', round: current.round, attempt: sec.attempt });
      if (sec.phase === 'masked' && sec.members.some((m) => m.site === site) && !sec.masked.has(site))
        return json(res, { status: 'mask', round: current.round, attempt: sec.attempt, members: sec.members });
      return json(res, { status: 'wait' });
    }
    if (req.method === 'POST' && url.pathname === '/v1/keys') {
      const round = Number(url.searchParams.get('round'));
      const attempt = Number(url.searchParams.get('attempt'));
      const sec = current?.secure;
      if (!current || !sec || round !== current.round || attempt !== sec.attempt || !sec.eligible.includes(site)) {
        req.resume();
        return refuse(
          res,
          409,
          site,
          `masking key for round ${round} attempt ${attempt} is not for the current key exchange: replayed or stale`,
        );
      }
      if (sec.phase !== 'keys' || sec.keys.has(site)) {
        req.resume();
        return refuse(res, 409, site, `second masking key for round ${round} attempt ${attempt}`);
      }
      const body = await readBody(req, 4096);
      let k: { publicKey?: unknown; samples?: unknown; loss?: unknown };
      try {
        k = JSON.parse(new TextDecoder().decode(body ?? new Uint8Array()));
      } catch {
        return refuse(res, 400, site, 'masking key announcement is not JSON');
      }
      if (!isMaskingPublicKey(k.publicKey))
        return refuse(res, 400, site, 'masking key announcement has no valid X25519 public key');
      if (!(Number.isInteger(k.samples) && (k.samples as number) > 0))
        return refuse(
          res,
          400,
          site,
          `masking key announcement: samples must be a positive integer, got '${k.samples}'`,
        );
      if (current.secure !== sec || sec.phase !== 'keys')
        return refuse(res, 409, site, `the key exchange of round ${round} ended while uploading`);
      sec.keys.set(site, { publicKey: k.publicKey, samples: k.samples as number, loss: Number(k.loss) });
      log(`fl server: round ${round}: masking key from ${site} (attempt ${attempt}, ${k.samples} samples)`);
      json(res, { accepted: true });
      tick();
      return;
    }
    if (req.method === 'GET' && url.pathname === '/v1/model') {
      res.writeHead(200, { 'content-type': 'application/octet-stream', [HEADER_SHA256]: globalSha });
      return res.end(globalBytes);
    }
    if (req.method === 'POST' && url.pathname === '/v1/update') {
      const round = Number(url.searchParams.get('round'));
      const declared = Number(req.headers['content-length'] ?? NaN);
      const sec = current?.secure;
      const attempt = Number(url.searchParams.get('attempt') ?? 0);
      if (
        !current ||
        round !== current.round ||
        !current.cohort.includes(site) ||
        (sec && (attempt !== sec.attempt || sec.phase !== 'masked' || !sec.members.some((m) => m.site === site)))
      ) {
        req.resume();
        return refuse(
          res,
          409,
          site,
          `update for round ${round} is not for the current round (${current?.round ?? 'none'}): replayed or stale`,
        );
      }
      if (current.updates.has(site) || sec?.masked.has(site)) {
        req.resume();
        return refuse(res, 409, site, `second update for round ${round}`);
      }
      if (!(declared <= o.maxUpdateBytes)) {
        req.resume();
        return refuse(res, 413, site, `update of ${declared} bytes exceeds the cap of ${o.maxUpdateBytes}`);
      }
      const body = await readBody(req, o.maxUpdateBytes);
      if (!body) return refuse(res, 413, site, `update exceeds the cap of ${o.maxUpdateBytes} bytes`);
      if (sha256(body) !== req.headers[HEADER_SHA256])
        return refuse(res, 400, site, 'update checksum does not match its x-medattn-sha256 header');
      const samples = Number(req.headers[HEADER_SAMPLES]);
      if (!sec && !(Number.isInteger(samples) && samples > 0))
        return refuse(
          res,
          400,
          site,
          `x-medattn-samples must be a positive integer, got '${req.headers[HEADER_SAMPLES]}'`,
        );
      let tensors: StateRecords;
      try {
        tensors = decodeSafetensors(body, `update from ${site}`).tensors;
      } catch (e) {
        return refuse(res, 400, site, `malformed update: ${(e as Error).message}`);
      }
      if (!current || current.round !== round || current.secure !== sec)
        return refuse(res, 409, site, `round ${round} ended while uploading`);
      if (sec) {
        const masked = readMaskedUpload(tensors, expected);
        if (typeof masked === 'string') return refuse(res, 400, site, `malformed masked update: ${masked}`);
        sec.masked.set(site, masked);
        log(`fl server: round ${round}: masked update from ${site} (attempt ${attempt})`);
      } else {
        const mismatch = architectureMismatch(expected, tensors);
        if (mismatch) return refuse(res, 400, site, `update is for another architecture: ${mismatch}`);
        current.updates.set(site, { site, samples, tensors, loss: Number(req.headers[HEADER_LOSS]) });
        log(`fl server: round ${round}: update from ${site} (${samples} samples)`);
      }
      if (o.saveReceived) {
        mkdirSync(o.saveReceived, { recursive: true });
        writeFileAtomic(
          join(o.saveReceived, `round${round}${sec ? `-attempt${attempt}` : ''}-${site}.safetensors`),
          body,
        );
      }
      json(res, { accepted: true });
      tick();
      return;
    }
    res.writeHead(404).end();
  };

  const server: Server = createServer(
    {
      key: Buffer.from(o.tls.key),
      cert: Buffer.from(o.tls.cert),
      minVersion: 'TLSv1.3',
      ...(o.tls.clientCa ? { ca: Buffer.from(o.tls.clientCa), requestCert: true, rejectUnauthorized: true } : {}),
    },
    (req, res) => {
      handle(req, res).catch((e) => {
        log(`fl server: error: ${(e as Error).message}`);
        if (!res.headersSent) res.writeHead(500).end();
      });
    },
  );
  // A client without an acceptable certificate (mutual TLS) or on an older TLS: one log line.
  server.on('tlsClientError', (e: NodeJS.ErrnoException, socket) =>
    log(`fl server: refused ${socket.remoteAddress ?? 'unknown'}: TLS handshake failed (${e.code ?? e.message})`),
  );
  await new Promise<void>((resolve, reject) => {
    server.once('error', (e) =>
      reject(new FlError('--port', `cannot listen on ${o.host}:${o.port} (${(e as NodeJS.ErrnoException).code})`)),
    );
    server.listen(o.port, o.host, resolve);
  });
  const port = (server.address() as { port: number }).port;
  log(
    `fl server: listening on https://${o.host}:${port} (TLS 1.3${o.tls.clientCa ? ', client certificates required' : ''}), ${sites.length} sites, ${o.algorithm}${o.secureAggregation ? ', secure aggregation' : ''}${o.dp ? `, DP-FedAvg (clip ${o.dp.clipNorm}, noise ${o.dp.noiseMultiplier})` : ''}`,
  );
  if (!finished) startRound();
  const timer = setInterval(tick, 200);
  try {
    while (!finished || finishing) await new Promise((r) => setTimeout(r, 200));
    // Let clients poll once more and see 'done'; meanwhile the report, like train's, on the best weights.
    const polled = new Promise((r) => setTimeout(r, 1500));
    await writeFlReport(o, run, persisted, monitor);
    await polled;
  } finally {
    clearInterval(timer);
    server.close();
    server.closeAllConnections();
    await run.trainLoader.close();
    await valLoader.close();
  }
  log(
    `fl server: done after ${persisted.completedRounds} rounds; best ${monitor} ${persisted.bestValue} at round ${persisted.bestRound}`,
  );
  return { history: persisted.history, port };
}

/** report.html (src/train/report) for the run folder: the best round's weights evaluated on the validation data. */
async function writeFlReport(
  o: FlServerOptions,
  run: Awaited<ReturnType<typeof setupRun>>,
  persisted: PersistedState,
  monitor: string,
): Promise<void> {
  const bestPath = join(o.out, 'best.safetensors');
  if (!existsSync(bestPath)) return;
  loadModelState(run.model, decodeSafetensors(readFileSync(bestPath), bestPath).tensors);
  const evaluation = await evaluateClassifier(run.model, run.valLoader, { lossFn: run.lossFn });
  const path = await writeReport({
    outDir: o.out,
    config: o.config,
    history: persisted.history,
    monitor,
    best: persisted.history.find((r) => r.round === persisted.bestRound),
    stoppedBy: `federated rounds (${persisted.completedRounds} of ${o.rounds}, ${o.algorithm}${o.secureAggregation ? ', secure aggregation' : ''}${o.dp ? ', DP-FedAvg' : ''})`,
    model: run.model as AttentionModel,
    valSet: run.valSet,
    trainSet: run.trainSet,
    evaluation,
  });
  (o.log ?? ((line: string) => process.stderr.write(`${line}\n`)))(`fl server: report ${path}`);
}

function sha256(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

function json(res: ServerResponse, value: unknown): void {
  res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(value));
}

/** The request body, or undefined once it passes `cap` bytes (then the rest is discarded). */
function readBody(req: IncomingMessage, cap: number): Promise<Uint8Array | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let over = false;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > cap) over = true;
      else chunks.push(c);
    });
    req.on('end', () => resolve(over ? undefined : new Uint8Array(Buffer.concat(chunks))));
    req.on('error', reject);
  });
}
