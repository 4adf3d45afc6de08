/**
 * `POST /v1/models/{name}/predict`: one image, as the multipart field `file` or as the raw request body, through
 * the model's queue. Classifiers answer `probabilities` (class name -> probability) and the `label` decided at the
 * run's threshold; segmenters a summary of the predicted mask; detectors the boxes found (class, score, box in the
 * upload's pixels; `?score=S` the score threshold, 0.3 as `medattn predict`). `?maps=1` adds the attention maps and
 * the mask (detectors: the boxes drawn on the image) as PNGs; `?slice=N` picks a volume's slice. The answer holds
 * nothing from the file's headers (no patient data).
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { QueueFullError, QueueTimeoutError } from './batch-queue.js';
import { decodeUpload, UndecodableUploadError, UploadTooLargeError } from './decode-upload.js';
import { cropPlane, decide, prepareInput } from './model-input.js';
import type { ServedModel } from './model-registry.js';
import { boxesPng, renderMaps } from './render-maps.js';
import { centerNetHeadsOf, decodeCenterNet, inFilePixels } from '../models/centernet-decode.js';
import type { ServeOptions } from './serve-options.js';
import type { ServiceMetrics } from './service-metrics.js';

/** The types the raw-body form accepts (anything else must come as multipart). */
export const RAW_IMAGE_TYPES = [
  'application/octet-stream',
  'application/dicom',
  'image/png',
  'image/jpeg',
  'image/tiff',
  'image/gif',
  'image/webp',
  'application/x-nifti',
  'application/gzip',
];

class BadRequestError extends Error {
  readonly statusCode = 400;
}

async function uploadBytes(request: FastifyRequest): Promise<Uint8Array> {
  if (request.isMultipart()) {
    // Throws 413 past the size limit; busboy's parse errors (a malformed body) become 400 in the error handler.
    const part = await request.file();
    if (!part || part.fieldname !== 'file')
      throw new BadRequestError("multipart upload: expected the image in a field named 'file'");
    return part.toBuffer();
  }
  if (Buffer.isBuffer(request.body)) return request.body;
  throw new BadRequestError(
    `send the image as multipart field 'file' or as a raw body (${RAW_IMAGE_TYPES.join(', ')})`,
  );
}

/** A detector's score threshold (`?score=`), in [0, 1]; `medattn predict`'s 0.3 when absent. */
function scoreParam(raw: unknown): number {
  if (raw === undefined || raw === '') return 0.3;
  const n = Number(raw);
  if (!(n >= 0 && n <= 1)) throw new BadRequestError(`score: expected a number in [0, 1], got '${raw}'`);
  return n;
}

function sliceParam(raw: unknown): number | undefined {
  if (raw === undefined || raw === '') return undefined;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 0) throw new BadRequestError(`slice: expected a whole number >= 0, got '${raw}'`);
  return n;
}

export function registerPredictRoute(
  app: FastifyInstance,
  models: Map<string, ServedModel>,
  options: ServeOptions,
  metrics: ServiceMetrics,
): void {
  // Admission at arrival, before the body is read: past --max-queue images waiting (plus one batch running) a
  // request is refused at once, counting those still being received or decoded, so overload gives fast 503s
  // instead of a pile of uploads waiting for the decoder.
  const admitted = new Map<string, number>();
  const limit = options.batch.maxQueue + options.batch.maxBatch;
  const counted = new WeakSet<FastifyRequest>();
  const release = async (request: FastifyRequest<{ Params: { name: string } }>) => {
    if (!counted.delete(request)) return;
    admitted.set(request.params.name, (admitted.get(request.params.name) ?? 1) - 1);
  };
  app.post<{ Params: { name: string }; Querystring: { maps?: string; slice?: string; score?: string } }>(
    '/v1/models/:name/predict',
    {
      bodyLimit: options.maxUploadBytes,
      onRequest: async (request, reply) => {
        const name = request.params.name;
        if (!models.has(name)) return; // the handler answers 404
        const n = admitted.get(name) ?? 0;
        if (n >= limit) {
          metrics.error('overloaded');
          return reply
            .code(503)
            .header('retry-after', '1')
            .send({ error: 'overloaded: too many images waiting, retry later' });
        }
        admitted.set(name, n + 1);
        counted.add(request);
      },
      onResponse: release,
      onRequestAbort: release,
    },
    async (request, reply) => {
      const model = models.get(request.params.name);
      if (!model) {
        metrics.error('not_found');
        return reply.code(404).send({ error: 'no such model (GET /v1/models lists them)' });
      }
      const wantMaps = request.query.maps === '1' || request.query.maps === 'true';
      const slice = sliceParam(request.query.slice);
      const score = scoreParam(request.query.score);
      const bytes = await uploadBytes(request);
      const t0 = performance.now();
      const decoded = await decodeUpload(bytes, {
        maxPixels: options.maxPixels,
        timeoutMs: options.decodeTimeoutMs,
        slice,
      });
      const input = prepareInput(decoded.image, model.info);
      const t1 = performance.now();
      const outputs = await model.queue.submit(input.data, input.shape.slice(1), options.requestTimeoutMs);
      const t2 = performance.now();
      const [h, w] = input.size;
      const base = {
        model: model.name,
        task: model.info.task,
        image: {
          format: decoded.format,
          height: h,
          width: w,
          // the upload's own size: detections' boxes are in its pixels, height and width are the model input's
          sourceHeight: decoded.image.shape[1],
          sourceWidth: decoded.image.shape[2],
          slices: decoded.slices,
          slice: decoded.slice,
        },
        timing: { decodeMs: +(t1 - t0).toFixed(2), inferenceMs: +(t2 - t1).toFixed(2) },
      };
      if (model.info.task === 'classification') {
        const probs = outputs.get('probabilities')!.data;
        const names = model.info.classNames;
        const probabilities = Object.fromEntries(Array.from(probs, (p, i) => [names[i] ?? String(i), p]));
        const { label } = decide(probs, model.info);
        const maps = wantMaps
          ? { maps: await renderMaps(input.display, input.size, outputs, model.attentionOutputs) }
          : {};
        return {
          ...base,
          probabilities,
          label,
          threshold: model.info.threshold,
          thresholdSource: model.info.thresholdSource,
          ...maps,
        };
      }
      if (model.info.task === 'detection') {
        const heads = centerNetHeadsOf((name) => outputs.get(name)!);
        const found = decodeCenterNet(heads, { scoreThreshold: score, iouThreshold: 0.5 })[0];
        const detections = inFilePixels(found, model.info.classNames, decoded.image.shape.slice(1), [h, w]);
        const maps = wantMaps
          ? {
              maps: {
                ...(await renderMaps(input.display, input.size, outputs, model.attentionOutputs)),
                boxes: await boxesPng(input.display, input.size, found, model.info.classNames),
              },
            }
          : {};
        return { ...base, scoreThreshold: score, detections, ...maps };
      }
      const prob = outputs.get('probability')!;
      const p = cropPlane(prob.data, prob.dims.slice(-2), [h, w]);
      let foreground = 0;
      let sum = 0;
      for (const v of p) {
        if (v >= 0.5) foreground++;
        sum += v;
      }
      const maps = wantMaps
        ? { maps: await renderMaps(input.display, input.size, outputs, model.attentionOutputs, p) }
        : {};
      return {
        ...base,
        segmentation: {
          threshold: 0.5,
          foregroundPixels: foreground,
          foregroundFraction: foreground / p.length,
          meanProbability: sum / p.length,
        },
        ...maps,
      };
    },
  );
}

/** HTTP status and metrics kind of an error thrown while answering (anything unknown is a 500). */
export function classifyError(e: Error & { statusCode?: number; code?: string }): {
  status: number;
  kind: Parameters<ServiceMetrics['error']>[0];
  message: string;
} {
  const oneLine = (s: string) => s.replace(/\s+/g, ' ').trim();
  if (e instanceof UploadTooLargeError) return { status: 413, kind: 'too_large', message: oneLine(e.message) };
  if (e instanceof UndecodableUploadError) return { status: 422, kind: 'undecodable', message: oneLine(e.message) };
  if (e instanceof QueueFullError)
    return { status: 503, kind: 'overloaded', message: 'overloaded: too many images waiting, retry later' };
  if (e instanceof QueueTimeoutError) return { status: 503, kind: 'timeout', message: oneLine(e.message) };
  if (e.statusCode === 413 || e.code === 'FST_REQ_FILE_TOO_LARGE' || e.code === 'FST_ERR_CTP_BODY_TOO_LARGE')
    return { status: 413, kind: 'too_large', message: 'upload too large' };
  if (e.statusCode === 429) return { status: 429, kind: 'rate_limited', message: oneLine(e.message) };
  if (e.statusCode === 415 || e.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE')
    return {
      status: 415,
      kind: 'bad_request',
      message: `unsupported content type (multipart field 'file' or ${RAW_IMAGE_TYPES.join(', ')})`,
    };
  if (e.statusCode !== undefined && e.statusCode >= 400 && e.statusCode < 500)
    return { status: 400, kind: 'bad_request', message: oneLine(e.message) };
  // busboy's complaints about a malformed multipart body carry no status code
  if (/multipart|boundary|Unexpected end of form|Malformed part header/i.test(e.message))
    return { status: 400, kind: 'bad_request', message: `malformed multipart body (${oneLine(e.message)})` };
  return { status: 500, kind: 'internal', message: 'internal error' };
}
