/**
 * An exported CenterNet in ONNX Runtime: its `heatmap` (probabilities), `size` and `offset` outputs as the
 * CenterNetHeads that decodeCenterNet reads, the decoding libtorch's CenterNet.decode runs, so both engines
 * turn heads into boxes with the same code.
 */
import { centerNetHeadsOf, type CenterNetHeads } from '../models/centernet-decode.js';
import { OnnxModelError, type OnnxModel } from './onnx-model.js';

export const detectionOutputs = ['heatmap', 'size', 'offset'] as const;

/** The heads of a [N, C, H, W] batch (H and W as the run's eval transforms make them). */
export async function onnxCenterNetHeads(
  onnx: OnnxModel,
  data: Float32Array,
  shape: number[],
): Promise<CenterNetHeads> {
  const missing = detectionOutputs.filter((o) => !onnx.outputNames.includes(o));
  if (missing.length)
    throw new OnnxModelError(
      `${onnx.path}: a detector's ONNX file needs the outputs ${detectionOutputs.join(', ')}; it has no ${missing.join(', ')} (export it again with medattn export --run DIR)`,
    );
  const out = await onnx.run(data, shape, [...detectionOutputs]);
  return centerNetHeadsOf((name) => out.get(name)!);
}
