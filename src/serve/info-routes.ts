/**
 * What the service says about itself: `GET /v1/models` (each model's metadata and validation figures),
 * `GET /v1/models/{name}/model.onnx` (the exported file, for the page's in-browser inference), `/healthz` (the
 * process answers), `/readyz` (models loaded and not shutting down) and `/metrics` (Prometheus text).
 */
import { readFile } from 'node:fs/promises';
import type { FastifyInstance } from 'fastify';
import type { ServedModel } from './model-registry.js';
import type { ServiceMetrics } from './service-metrics.js';

export function describeModel(m: ServedModel) {
  return {
    name: m.name,
    task: m.info.task,
    network: m.info.model,
    inputChannels: m.info.inputChannels,
    inputSize: m.info.inputSize ?? null,
    classNames: m.info.classNames,
    threshold: m.info.threshold,
    thresholdSource: m.info.thresholdSource,
    padMultiple: m.info.padMultiple,
    normalization: m.info.normalization,
    attentionMaps: m.attentionOutputs.map((n) => n.replace(/^attention\//, '')),
    validation: m.validation ?? null,
    medattnVersion: m.info.version,
    onnxBytes: m.bytes,
  };
}

/** The API's model routes (behind the token check when tokens are on). */
export function registerModelRoutes(
  app: FastifyInstance,
  models: Map<string, ServedModel>,
  metrics: ServiceMetrics,
): void {
  app.get('/v1/models', async () => ({ models: [...models.values()].map(describeModel) }));

  app.get<{ Params: { name: string } }>('/v1/models/:name/model.onnx', async (request, reply) => {
    const model = models.get(request.params.name);
    if (!model) {
      metrics.error('not_found');
      return reply.code(404).send({ error: 'no such model' });
    }
    return reply
      .type('application/octet-stream')
      .header('cache-control', 'private, max-age=300')
      .send(await readFile(model.onnx.path));
  });
}

/** Health and metrics for the orchestrator and Prometheus (no token: they hold no patient data). */
export function registerOpsRoutes(
  app: FastifyInstance,
  models: Map<string, ServedModel>,
  metrics: ServiceMetrics,
  state: { ready: boolean },
): void {
  app.get('/healthz', async () => ({ status: 'ok' }));
  app.get('/readyz', async (_request, reply) =>
    state.ready ? { status: 'ready', models: [...models.keys()] } : reply.code(503).send({ status: 'not ready' }),
  );
  app.get('/metrics', async (_request, reply) => {
    for (const m of models.values()) metrics.queueDepth.set({ model: m.name }, m.queue.depth);
    return reply.type(metrics.registry.contentType).send(await metrics.registry.metrics());
  });
}
