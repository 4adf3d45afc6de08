/**
 * ONNX Runtime's forward for `medattn predict --engine onnx`: class probabilities, or the foreground
 * probability map of a segmenter on the input padded as libtorch pads it (edge replication to the run's
 * padding multiple), cropped back to the image.
 */
import type { MedicalImage } from '../data/medical-image.js';
import { tensor, tidy } from '../tensor/index.js';
import type { TrainingConfig } from '../train/config.js';
import { cropTo, padToMultiple } from '../train/pad-to-multiple.js';
import type { OnnxModel } from './onnx-model.js';

export function onnxInfer(onnx: OnnxModel): (image: MedicalImage, config: TrainingConfig) => Promise<Float32Array> {
  return async (image, config) => {
    const data = Float32Array.from(image.data as ArrayLike<number>);
    const shape = [1, ...image.shape];
    if (config.task === 'classification')
      return (await onnx.run(data, shape, ['probabilities'])).get('probabilities')!.data;
    const padded = tidy(() => {
      const p = padToMultiple(tensor(data, { shape }), config.training.padMultiple).padded;
      return { data: p.toFloat32Array(), shape: p.shape };
    });
    const prob = (await onnx.run(padded.data, padded.shape, ['probability'])).get('probability')!;
    return tidy(() =>
      cropTo(tensor(prob.data, { shape: prob.dims }), image.shape.slice(1))
        .contiguous()
        .toFloat32Array(),
    );
  };
}
