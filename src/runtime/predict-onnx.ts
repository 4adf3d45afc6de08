/**
 * ONNX Runtime's forward for `medattn predict --engine onnx`: class probabilities, or the foreground
 * probability map of a segmenter on the input padded as libtorch pads it (edge replication to the run's
 * padding multiple), cropped back to the image. With `--maps`, the same single run also gives the exported
 * `attention/<block>.spatial` outputs, cropped like the probability, for the overlays libtorch's maps get
 * (Grad-CAM needs gradients, so it stays with --engine torch).
 */
import type { MedicalImage } from '../data/medical-image.js';
import { tensor, tidy } from '../tensor/index.js';
import type { TrainingConfig } from '../train/config.js';
import { cropTo, padToMultiple } from '../train/pad-to-multiple.js';
import type { LookedMaps } from '../train/report/where-it-looked.js';
import type { CenterNetHeads } from '../models/centernet-decode.js';
import { onnxCenterNetHeads } from './detection-onnx.js';
import type { OnnxModel, OnnxOutput } from './onnx-model.js';

const attentionPrefix = 'attention/';
const spatialSuffix = '.spatial';

/** Runs `outputs` on one [C, ...] image (padded for segmenters); each output comes back cropped to the image. */
async function runImage(
  onnx: OnnxModel,
  image: MedicalImage,
  config: TrainingConfig,
  outputs: string[],
): Promise<Map<string, Float32Array>> {
  const data = Float32Array.from(image.data as ArrayLike<number>);
  const shape = [1, ...image.shape];
  if (config.task === 'classification') {
    const out = await onnx.run(data, shape, outputs);
    return new Map([...out].map(([k, v]) => [k, v.data]));
  }
  const padded = tidy(() => {
    const p = padToMultiple(tensor(data, { shape }), config.training.padMultiple).padded;
    return { data: p.toFloat32Array(), shape: p.shape };
  });
  const out = await onnx.run(padded.data, padded.shape, outputs);
  const crop = (o: OnnxOutput) =>
    tidy(() =>
      cropTo(tensor(o.data, { shape: o.dims }), image.shape.slice(1))
        .contiguous()
        .toFloat32Array(),
    );
  return new Map([...out].map(([k, v]) => [k, crop(v)]));
}

/** The output predict reports: `probabilities` of a classifier, `probability` of a segmenter. */
function predictionOutput(config: TrainingConfig): string {
  return config.task === 'classification' ? 'probabilities' : 'probability';
}

/** A detector's heads for one eval-transformed [C, H, W] image (predict decodes them as libtorch's). */
export function onnxDetect(onnx: OnnxModel): (image: MedicalImage) => Promise<CenterNetHeads> {
  return (image) => onnxCenterNetHeads(onnx, Float32Array.from(image.data as ArrayLike<number>), [1, ...image.shape]);
}

export function onnxInfer(onnx: OnnxModel): (image: MedicalImage, config: TrainingConfig) => Promise<Float32Array> {
  return async (image, config) => {
    const name = predictionOutput(config);
    return (await runImage(onnx, image, config, [name])).get(name)!;
  };
}

/** predict --maps from ONNX Runtime: the prediction and every exported spatial attention map, in one run. */
export function onnxLooked(onnx: OnnxModel): (image: MedicalImage, config: TrainingConfig) => Promise<LookedMaps> {
  return async (image, config) => {
    const name = predictionOutput(config);
    const spatial = onnx.outputNames.filter((o) => o.startsWith(attentionPrefix) && o.endsWith(spatialSuffix));
    const out = await runImage(onnx, image, config, [name, ...spatial]);
    const segmentation = config.task === 'segmentation';
    return {
      segmentation,
      columns: [
        'input',
        ...(segmentation ? ['predicted probability'] : []),
        ...spatial.map((o) => o.slice(attentionPrefix.length, -spatialSuffix.length)),
      ],
      maps: spatial.map((o) => out.get(o)!),
      output: out.get(name)!,
    };
  };
}
