/** `medattn fl server` and `medattn fl client`: federated training between sites (src/fl). */
import { readFileSync } from 'node:fs';
import { loadConfig } from '../../train/config.js';
import { runFlServer, type FlAlgorithm } from '../../fl/fl-server.js';
import { runFlClient } from '../../fl/fl-client.js';
import { FlError } from '../../fl/fl-error.js';

function readOption(option: string, path: string): Uint8Array {
  try {
    return readFileSync(path);
  } catch (e) {
    throw new FlError(option, `cannot read ${path} (${(e as NodeJS.ErrnoException).code ?? e})`);
  }
}

function int(option: string, value: string, min: number): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < min) throw new FlError(option, `must be an integer >= ${min}, got '${value}'`);
  return n;
}

function positive(option: string, value: string): number {
  const n = Number(value);
  if (!(n > 0 && Number.isFinite(n))) throw new FlError(option, `must be a positive number, got '${value}'`);
  return n;
}

export interface FlServerCommandOptions {
  config: string;
  out: string;
  tokens: string;
  cert: string;
  key: string;
  clientCa?: string;
  host: string;
  port: string;
  rounds: string;
  clientsPerRound?: string;
  minClients?: string;
  localEpochs: string;
  algorithm: string;
  mu: string;
  roundTimeout: string;
  maxUpdateMb: string;
  dpClip?: string;
  dpNoise?: string;
  dpDelta: string;
  secureAggregation?: boolean;
  saveReceived?: string;
  set?: string[];
}

export async function flServerCommand(o: FlServerCommandOptions): Promise<void> {
  const config = loadConfig(o.config, o.set ?? []);
  let tokens: Record<string, string>;
  try {
    tokens = JSON.parse(new TextDecoder().decode(readOption('--tokens', o.tokens)));
  } catch (e) {
    if (e instanceof FlError) throw e;
    throw new FlError('--tokens', `${o.tokens} is not JSON of site names to tokens`);
  }
  const sites = Object.entries(tokens ?? {});
  if (!sites.length || sites.some(([, t]) => typeof t !== 'string' || t.length < 16))
    throw new FlError('--tokens', `${o.tokens} must map each site name to a token of at least 16 characters`);
  if (new Set(sites.map(([, t]) => t)).size !== sites.length)
    throw new FlError('--tokens', `${o.tokens}: two sites share a token (each site needs its own)`);
  if (!['fedavg', 'fedprox', 'fedbn'].includes(o.algorithm))
    throw new FlError('--algorithm', `must be fedavg, fedprox or fedbn, got '${o.algorithm}'`);
  const clientsPerRound = o.clientsPerRound ? int('--clients-per-round', o.clientsPerRound, 1) : sites.length;
  const minClients = o.minClients ? int('--min-clients', o.minClients, 1) : clientsPerRound;
  if ((o.dpClip === undefined) !== (o.dpNoise === undefined))
    throw new FlError('--dp-clip', 'DP-FedAvg needs both --dp-clip and --dp-noise');
  const dp =
    o.dpClip !== undefined && o.dpNoise !== undefined
      ? {
          clipNorm: positive('--dp-clip', o.dpClip),
          noiseMultiplier: positive('--dp-noise', o.dpNoise),
          delta: positive('--dp-delta', o.dpDelta),
        }
      : undefined;
  if (minClients > clientsPerRound)
    throw new FlError('--min-clients', `${minClients} is more than --clients-per-round ${clientsPerRound}`);
  if (o.secureAggregation && minClients < 2)
    throw new FlError(
      '--min-clients',
      `secure aggregation needs at least 2 sites in every sum (the sum of one site is its update), got ${minClients}`,
    );
  await runFlServer({
    config,
    out: o.out,
    tokens,
    tls: {
      key: readOption('--key', o.key),
      cert: readOption('--cert', o.cert),
      clientCa: o.clientCa ? readOption('--client-ca', o.clientCa) : undefined,
    },
    host: o.host,
    port: int('--port', o.port, 0),
    rounds: int('--rounds', o.rounds, 1),
    clientsPerRound,
    minClients,
    localEpochs: int('--local-epochs', o.localEpochs, 1),
    algorithm: o.algorithm as FlAlgorithm,
    mu: Number(o.mu),
    roundTimeoutMs: positive('--round-timeout', o.roundTimeout) * 1000,
    maxUpdateBytes: Math.round(positive('--max-update-mb', o.maxUpdateMb) * 1024 * 1024),
    seed: config.training.seed,
    dp,
    secureAggregation: Boolean(o.secureAggregation),
    saveReceived: o.saveReceived,
  });
}

export interface FlClientCommandOptions {
  config: string;
  server: string;
  token: string;
  ca?: string;
  cert?: string;
  key?: string;
  patience: string;
  set?: string[];
}

export async function flClientCommand(o: FlClientCommandOptions): Promise<void> {
  if (!/^https:\/\//.test(o.server)) throw new FlError('--server', `must be an https:// URL, got '${o.server}'`);
  const config = loadConfig(o.config, o.set ?? []);
  await runFlClient({
    config,
    server: o.server,
    token: o.token,
    ca: o.ca ? readOption('--ca', o.ca) : undefined,
    cert: o.cert ? readOption('--cert', o.cert) : undefined,
    key: o.key ? readOption('--key', o.key) : undefined,
    patienceMs: positive('--patience', o.patience) * 1000,
  });
}
