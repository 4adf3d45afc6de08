/**
 * `medattn predict` for a detector: each file through the run's eval transforms, one forward pass, boxes
 * decoded (score >= threshold, class-wise NMS at IoU 0.5), mapped back to the file's pixels, drawn with class
 * and score on the original picture (`<name>_boxes.png`) and returned for the JSON output. With `heads`
 * (ONNX Runtime) the heads come from that engine; decoding is the same decodeCenterNet either way.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { basename, extname, join } from 'node:path';
import { readImage } from '../../data/io/index.js';
import type { MedicalImage } from '../../data/medical-image.js';
import { createTransform, Rng } from '../../data/transforms/index.js';
import { classColor, drawBoxesPng, imageToRgb } from '../../explain/draw-boxes.js';
import { decodeCenterNet, type CenterNet, type CenterNetHeads } from '../../models/centernet.js';
import { inFilePixels, type DetectedObject } from '../../models/centernet-decode.js';
import { noGrad, tensor, tidy } from '../../tensor/index.js';
import type { TrainingConfig } from '../config.js';

export type { DetectedObject };

export interface DetectionPrediction {
  file: string;
  detections: DetectedObject[];
  /** The picture with the boxes drawn. */
  boxesImage: string;
}

export async function predictDetections(
  model: CenterNet,
  config: TrainingConfig,
  classNames: string[] | undefined,
  files: string[],
  outDir: string,
  options: {
    scoreThreshold?: number;
    matchChannels: (image: MedicalImage) => MedicalImage;
    /** Another engine's heads for one eval-transformed image (ONNX Runtime), in place of libtorch's forward. */
    heads?: (image: MedicalImage) => Promise<CenterNetHeads>;
  },
): Promise<DetectionPrediction[]> {
  const transform = createTransform(config.transforms.eval);
  const threshold = options.scoreThreshold ?? 0.3;
  mkdirSync(outDir, { recursive: true });
  model.eval();
  const results: DetectionPrediction[] = [];
  for (const file of files) {
    const original = options.matchChannels(await readImage(file));
    const [H, W] = original.shape.slice(1);
    // The eval transforms resize boxes too: an empty box list goes through with the image.
    const empty = { boxes: new Float32Array(0), classes: new Int32Array(0) };
    const image = transform.apply({ image: original, boxes: empty }, Rng.seeded(0)).image as MedicalImage;
    const [h, w] = image.shape.slice(1);
    const heads = options.heads
      ? await options.heads(image)
      : tidy(() =>
          noGrad(() => {
            const x = tensor(Float32Array.from(image.data as ArrayLike<number>), { shape: [1, ...image.shape] });
            return model.heads(model.forward(x));
          }),
        );
    const dets = decodeCenterNet(heads, { scoreThreshold: threshold, iouThreshold: 0.5 })[0];
    const detections = inFilePixels(dets, classNames, [H, W], [h, w]);
    const png = await drawBoxesPng(
      imageToRgb(original.data as ArrayLike<number>, original.shape),
      W,
      H,
      detections.map((d, i) => ({
        box: d.box,
        label: `${d.class} ${d.score.toFixed(2)}`,
        color: classColor(dets[i].classId),
      })),
    );
    const boxesImage = join(outDir, `${basename(file, extname(file))}_boxes.png`);
    writeFileSync(boxesImage, png);
    results.push({ file, detections, boxesImage });
  }
  return results;
}
