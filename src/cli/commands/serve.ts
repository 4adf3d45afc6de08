/** `medattn serve --run DIR [--run DIR2 ...] [--port P] [--host H] [--token-file F] [--cert C --key K] ...`. */
import { createService, ServeError, shutdownOnSignals, type ServeOptions } from '../../serve/index.js';

export interface ServeCommandOptions {
  run: string[];
  port: string;
  host: string;
  tokenFile?: string;
  cert?: string;
  key?: string;
  maxUploadMb: string;
  maxPixels: string;
  requestTimeout: string;
  headersTimeout: string;
  decodeTimeout: string;
  rateLimit: string;
  maxBatch: string;
  batchWaitMs: string;
  maxQueue: string;
  corsOrigin?: string[];
  threads?: string;
  log: boolean;
  shutdownGrace: string;
}

/** A whole number option within [min, max], else a one-line error naming the option. */
function whole(option: string, value: string, min: number, max = Number.MAX_SAFE_INTEGER): number {
  const n = Number(value);
  if (value.trim() === '' || !Number.isInteger(n) || n < min || n > max)
    throw new ServeError(option, `expected a whole number from ${min} to ${max}, got '${value}'`);
  return n;
}

export function serveOptions(o: ServeCommandOptions): ServeOptions {
  const seconds = (option: string, v: string) => whole(option, v, 1, 3600) * 1000;
  return {
    runs: o.run,
    host: o.host,
    port: whole('--port', o.port, 0, 65535),
    tokenFile: o.tokenFile,
    cert: o.cert,
    key: o.key,
    maxUploadBytes: whole('--max-upload-mb', o.maxUploadMb, 1, 4096) * 1024 * 1024,
    maxPixels: whole('--max-pixels', o.maxPixels, 1),
    requestTimeoutMs: seconds('--request-timeout', o.requestTimeout),
    headersTimeoutMs: seconds('--headers-timeout', o.headersTimeout),
    decodeTimeoutMs: seconds('--decode-timeout', o.decodeTimeout),
    rateLimit: whole('--rate-limit', o.rateLimit, 0),
    batch: {
      maxBatch: whole('--max-batch', o.maxBatch, 1, 256),
      maxWaitMs: whole('--batch-wait-ms', o.batchWaitMs, 0, 1000),
      maxQueue: whole('--max-queue', o.maxQueue, 1, 100_000),
    },
    corsOrigins: o.corsOrigin ?? [],
    threads: o.threads === undefined ? undefined : whole('--threads', o.threads, 1, 1024),
    log: o.log,
    shutdownGraceMs: seconds('--shutdown-grace', o.shutdownGrace),
  };
}

export async function serveCommand(o: ServeCommandOptions): Promise<void> {
  const options = serveOptions(o);
  const service = await createService(options);
  try {
    await service.app.listen({ host: options.host, port: options.port });
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'EADDRINUSE' || code === 'EACCES' || code === 'EADDRNOTAVAIL')
      throw new ServeError('--port', `cannot listen on ${options.host}:${options.port} (${code})`);
    throw e;
  }
  const address = service.app.server.address();
  const port = typeof address === 'object' && address ? address.port : options.port;
  const scheme = options.cert ? 'https' : 'http';
  // One line for people and scripts (also in the JSON logs): where it listens and what it serves.
  process.stderr.write(
    `medattn serve: ${scheme}://${options.host}:${port}/ serving ${[...service.models.keys()].join(', ')}${options.tokenFile ? '' : ' (no token: loopback only)'}\n`,
  );
  await new Promise<void>((done) => shutdownOnSignals(service, options.shutdownGraceMs, done));
}
