/**
 * The HTTP service (fastify): security headers, optional CORS allow-list, rate limits, multipart and raw image
 * bodies within the upload limit, bearer tokens on /v1, the routes, JSON-lines logs without patient data or
 * tokens, and errors as one-line JSON with the right status. HTTPS when given a certificate. Node's own
 * timeouts close slow-headers and slow-body clients.
 */
import { readFileSync } from 'node:fs';
import { createServer as createHttpServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import helmet from '@fastify/helmet';
import multipart from '@fastify/multipart';
import rateLimit from '@fastify/rate-limit';
import Fastify, { type FastifyInstance } from 'fastify';
import { bearerToken, requireToken } from './auth.js';
import { registerModelRoutes, registerOpsRoutes } from './info-routes.js';
import { loadModels, type ServedModel } from './model-registry.js';
import { registerPageRoutes } from './page-routes.js';
import { classifyError, RAW_IMAGE_TYPES, registerPredictRoute } from './predict-route.js';
import { ServeError } from './serve-error.js';
import type { ServeOptions } from './serve-options.js';
import { ServiceMetrics } from './service-metrics.js';
import { hashToken, readTokenFile } from './tokens.js';
import { loadWebAssets } from './web-assets.js';

export interface Service {
  app: FastifyInstance;
  models: Map<string, ServedModel>;
  metrics: ServiceMetrics;
  /** False once shutdown began: /readyz answers 503 so the proxy stops sending. */
  state: { ready: boolean };
}

const LOOPBACK = /^(127\.\d+\.\d+\.\d+|::1|localhost)$/;

function readPem(option: string, file: string): Buffer {
  try {
    return readFileSync(file);
  } catch (e) {
    throw new ServeError(option, `${file}: cannot read it (${(e as NodeJS.ErrnoException).code ?? e})`);
  }
}

export async function createService(options: ServeOptions): Promise<Service> {
  if (!options.runs.length) throw new ServeError('--run', 'give at least one run folder (with model.onnx)');
  if (!options.tokenFile && !LOOPBACK.test(options.host))
    throw new ServeError('--token-file', `required when --host is not a loopback address (got ${options.host})`);
  if (Boolean(options.cert) !== Boolean(options.key))
    throw new ServeError(options.cert ? '--key' : '--cert', 'HTTPS needs both --cert and --key');
  const hashes = options.tokenFile ? readTokenFile(options.tokenFile) : undefined;
  const tls =
    options.cert && options.key
      ? { cert: readPem('--cert', options.cert), key: readPem('--key', options.key) }
      : undefined;

  const metrics = new ServiceMetrics();
  const models = await loadModels(options.runs, options.batch, metrics, options.threads);
  const assets = await loadWebAssets();
  const state = { ready: true };

  const serverOptions = {
    headersTimeout: options.headersTimeoutMs,
    requestTimeout: options.requestTimeoutMs,
    // how often Node checks the two timeouts above (default 30 s would let a slow client hold on much longer)
    connectionsCheckingInterval: Math.max(100, Math.min(1000, options.headersTimeoutMs / 4)),
    keepAliveTimeout: 5_000,
  };
  const app = Fastify({
    logger: options.log
      ? {
          level: 'info',
          // request lines carry method, route and status; never headers (tokens) or bodies (images)
          serializers: {
            req: (req: { method: string; routeOptions?: { url?: string }; url: string }) => ({
              method: req.method,
              url: req.url.split('?')[0],
            }),
          },
        }
      : false,
    bodyLimit: options.maxUploadBytes,
    requestTimeout: options.requestTimeoutMs,
    return503OnClosing: true,
    forceCloseConnections: 'idle',
    serverFactory: (handler: (req: IncomingMessage, res: ServerResponse) => void) =>
      tls ? createHttpsServer({ ...serverOptions, ...tls }, handler) : createHttpServer(serverOptions, handler),
  });

  await app.register(helmet, {
    contentSecurityPolicy: {
      directives: {
        defaultSrc: ["'self'"],
        // onnxruntime-web compiles its WebAssembly runtime; nothing else is evaluated
        scriptSrc: ["'self'", "'wasm-unsafe-eval'"],
        workerSrc: ["'self'", 'blob:'],
        imgSrc: ["'self'", 'data:', 'blob:'],
        connectSrc: ["'self'"],
        styleSrc: ["'self'", "'unsafe-inline'"],
      },
    },
    hsts: Boolean(tls),
  });
  if (options.corsOrigins.length) {
    const allowed = new Set(options.corsOrigins);
    app.addHook('onRequest', async (request, reply) => {
      const origin = request.headers.origin;
      if (!origin || !allowed.has(origin)) return;
      reply.header('access-control-allow-origin', origin).header('vary', 'Origin');
      if (request.method === 'OPTIONS')
        return reply
          .header('access-control-allow-methods', 'GET, POST')
          .header('access-control-allow-headers', 'authorization, content-type')
          .code(204)
          .send();
    });
  }
  if (options.rateLimit > 0)
    await app.register(rateLimit, {
      max: options.rateLimit,
      timeWindow: 60_000,
      // per token when tokens are on (a hash, so the limiter's store never holds a token), else per address
      keyGenerator: (request) => {
        const token = bearerToken(request);
        return token ? hashToken(token) : request.ip;
      },
      allowList: (request) => !request.url.startsWith('/v1/'),
    });
  await app.register(multipart, {
    limits: { fileSize: options.maxUploadBytes, files: 1, fields: 8, parts: 10, headerPairs: 50 },
    throwFileSizeLimit: true,
  });
  app.addContentTypeParser(
    RAW_IMAGE_TYPES,
    { parseAs: 'buffer', bodyLimit: options.maxUploadBytes },
    (_r, body, done) => done(null, body),
  );

  app.setErrorHandler(async (error, request, reply) => {
    const { status, kind, message } = classifyError(error as Error & { statusCode?: number; code?: string });
    metrics.error(kind);
    if (status === 500) request.log.error({ err: error }, 'internal error');
    if (status === 429 && (error as { headers?: Record<string, string> }).headers)
      reply.headers((error as { headers: Record<string, string> }).headers);
    return reply.code(status).send({ error: message });
  });
  app.setNotFoundHandler(async (_request, reply) => {
    metrics.error('not_found');
    return reply.code(404).send({ error: 'not found' });
  });
  app.addHook('onResponse', async (request, reply) => {
    const route = request.routeOptions.url ?? 'unmatched';
    metrics.requests.inc({ route, status: String(reply.statusCode) });
    metrics.latency.observe({ route }, reply.elapsedTime / 1000);
  });

  // The API (/v1/...) in its own scope, so the token check covers exactly it.
  await app.register(async (api) => {
    if (hashes) api.addHook('onRequest', requireToken(hashes, metrics));
    registerModelRoutes(api, models, metrics);
    registerPredictRoute(api, models, options, metrics);
  });
  registerOpsRoutes(app, models, metrics, state);
  registerPageRoutes(app, assets);
  // Closing the service (after requests in flight) releases each model's ONNX Runtime session and worker thread.
  app.addHook('onClose', async () => {
    await Promise.all([...models.values()].map((m) => m.onnx.release()));
  });
  return { app, models, metrics, state };
}
