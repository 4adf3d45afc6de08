/**
 * The service's Prometheus metrics (prom-client, one registry per service so tests can run several): requests by
 * route and status, request latency, inference batch sizes and time, queue depth, errors by kind, and the
 * process's own (RSS, heap, event-loop lag) under the `medattn_` prefix.
 */
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';

export type ErrorKind =
  | 'unauthorized'
  | 'too_large'
  | 'bad_request'
  | 'undecodable'
  | 'not_found'
  | 'overloaded'
  | 'timeout'
  | 'rate_limited'
  | 'shutting_down'
  | 'internal';

export class ServiceMetrics {
  readonly registry = new Registry();
  readonly requests = new Counter({
    name: 'medattn_http_requests_total',
    help: 'HTTP requests answered, by route and status code',
    labelNames: ['route', 'status'] as const,
    registers: [this.registry],
  });
  readonly latency = new Histogram({
    name: 'medattn_http_request_duration_seconds',
    help: 'Time from request to response, by route',
    labelNames: ['route'] as const,
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [this.registry],
  });
  readonly errors = new Counter({
    name: 'medattn_errors_total',
    help: 'Requests refused or failed, by kind',
    labelNames: ['kind'] as const,
    registers: [this.registry],
  });
  readonly batchSize = new Histogram({
    name: 'medattn_inference_batch_size',
    help: 'Images per ONNX Runtime forward pass, by model',
    labelNames: ['model'] as const,
    // one bucket per size up to the default --max-batch, so the exact batch sizes can be replayed (bench/serve.ts)
    buckets: [...Array.from({ length: 16 }, (_, i) => i + 1), 32, 64],
    registers: [this.registry],
  });
  readonly inferenceSeconds = new Histogram({
    name: 'medattn_inference_duration_seconds',
    help: 'Time of one ONNX Runtime forward pass (a whole batch), by model',
    labelNames: ['model'] as const,
    buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1],
    registers: [this.registry],
  });
  readonly queueDepth = new Gauge({
    name: 'medattn_queue_depth',
    help: 'Images waiting for or in a forward pass, by model',
    labelNames: ['model'] as const,
    registers: [this.registry],
  });

  constructor() {
    collectDefaultMetrics({ register: this.registry, prefix: 'medattn_' });
  }

  error(kind: ErrorKind): void {
    this.errors.inc({ kind });
  }
}
