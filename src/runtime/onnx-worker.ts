/**
 * The worker-thread side of OnnxWorkerModel: one ONNX Runtime session, answering run requests in order.
 * onnxruntime-node runs a session synchronously on the thread that calls it, so a service that ran it on its
 * main thread could not read, decode or answer requests while a batch was being computed.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { OnnxModel } from './onnx-model.js';
import type { WorkerRequest, WorkerReply, WorkerInit } from './onnx-worker-model.js';

const port = parentPort!;
const { path, threads } = workerData as WorkerInit;
const errorOf = (e: unknown) => ({ name: (e as Error).name, message: (e as Error).message ?? String(e) });

try {
  const model = await OnnxModel.load(path, { threads });
  port.postMessage({
    type: 'ready',
    metadata: model.metadata,
    input: model.input,
    outputNames: [...model.outputNames],
  } satisfies WorkerReply);
  port.on('message', (request: WorkerRequest) => {
    if (request.type === 'release') {
      void model.release().then(() => port.postMessage({ type: 'released' } satisfies WorkerReply));
      return;
    }
    model.run(request.data, request.shape, request.outputs).then(
      (outputs) => port.postMessage({ type: 'result', id: request.id, outputs: [...outputs] } satisfies WorkerReply),
      (e: unknown) => port.postMessage({ type: 'failed', id: request.id, error: errorOf(e) } satisfies WorkerReply),
    );
  });
} catch (e) {
  port.postMessage({ type: 'failed', id: -1, error: errorOf(e) } satisfies WorkerReply);
}
