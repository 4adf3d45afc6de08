/**
 * `medattn evaluate --engine onnx` on a text run: the notes tokenized by the run's tokenizer, batched by length
 * as libtorch evaluation batches them (bucketBatches, idsTensor), the probabilities from ONNX Runtime's
 * `probabilities` output, and the metrics from the code that evaluates the libtorch model (textMetrics).
 */
import type { EncodedText } from '../data/text/text-tokenizer.js';
import { tidy } from '../tensor/index.js';
import { dataArgumentToSpec } from '../train/run-folder.js';
import { bucketBatches, evaluateTextRun, idsTensor } from '../train/tasks/text.js';
import { OnnxModel, OnnxModelError } from './onnx-model.js';

/** Softmax probabilities [n * k] of every note, in order, from an exported text model. */
export async function textProbabilitiesOnnx(
  onnx: OnnxModel,
  encoded: EncodedText[],
  numClasses: number,
  batchSize = 32,
): Promise<Float64Array> {
  const out = new Float64Array(encoded.length * numClasses);
  for (const batch of bucketBatches(
    encoded.map((e) => e.ids.length),
    batchSize,
  )) {
    const { ids, shape } = tidy(() => {
      const t = idsTensor(batch.map((i) => encoded[i]));
      return { ids: t.toArray() as BigInt64Array, shape: t.shape };
    });
    const p = (await onnx.run(ids, shape, ['probabilities'])).get('probabilities')!;
    if (p.dims[1] !== numClasses)
      throw new OnnxModelError(`${onnx.path}: 'probabilities' has ${p.dims[1]} classes, the run has ${numClasses}`);
    batch.forEach((i, r) => {
      for (let c = 0; c < numClasses; c++) out[i * numClasses + c] = p.data[r * numClasses + c];
    });
  }
  return out;
}

export async function evaluateTextRunOnnx(
  runDir: string,
  onnxFile: string,
  data: string,
  split?: string,
): Promise<Record<string, unknown>> {
  const onnx = await OnnxModel.load(onnxFile);
  if (onnx.input.name !== 'input_ids') {
    await onnx.release();
    throw new OnnxModelError(`${onnxFile}: not a text model (input '${onnx.input.name}', expected 'input_ids')`);
  }
  try {
    return await evaluateTextRun(runDir, dataArgumentToSpec(data, split, 'text'), (encoded, k) =>
      textProbabilitiesOnnx(onnx, encoded, k),
    );
  } finally {
    await onnx.release();
  }
}
