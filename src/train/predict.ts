/**
 * `medattn predict`: a run's model on image files. Classification gives class probabilities per file;
 * segmentation writes a binary mask PNG (0/255) and a probability PNG per file into the output folder. With
 * `maps`, each file also gets `<name>_maps.png`: the input, its attention maps and (classifiers) Grad-CAM.
 */
import { mkdirSync } from 'node:fs';
import { basename, extname, join } from 'node:path';
import sharp from 'sharp';
import { readImage } from '../data/io/index.js';
import type { MedicalImage } from '../data/medical-image.js';
import { matchChannels, matchChannelsForTransforms } from '../data/match-channels.js';
import type { AttentionModel } from '../models/attention-model.js';
import { createTransform, Resize, Rng } from '../data/transforms/index.js';
import { noGrad, tensor, tidy } from '../tensor/index.js';
import { cropTo, foregroundProbability, padToMultiple } from './pad-to-multiple.js';
import { loadRun } from './run-folder.js';
import { ConfigError } from './config-error.js';
import type { TrainingConfig } from './config.js';
import { lookedRow, whereItLooked, writeGrid, type LookedMaps } from './report/where-it-looked.js';
import { predictDetections, type DetectedObject } from './tasks/detection-predict.js';
import type { CenterNet, CenterNetHeads } from '../models/centernet.js';

export interface Prediction {
  file: string;
  /** Classification: probability per class name. */
  probabilities?: Record<string, number>;
  predicted?: string;
  /** Binary classification: the decision threshold on the positive (second) class's probability. */
  threshold?: number;
  /** Segmentation: written files and the predicted foreground fraction. */
  mask?: string;
  probabilityMap?: string;
  foreground?: number;
  /** With `maps`: the picture of where the model looked, and its columns. */
  maps?: string;
  mapColumns?: string[];
  /** Detection: the boxes found and the picture they are drawn on. */
  detections?: DetectedObject[];
  boxesImage?: string;
}

/** Class probabilities, or the foreground probability per pixel (cropped back from the padded input). */
function predictImage(model: AttentionModel, image: MedicalImage, config: TrainingConfig): Float32Array {
  return tidy(() =>
    noGrad(() => {
      const x = tensor(Float32Array.from(image.data as ArrayLike<number>), { shape: [1, ...image.shape] });
      if (config.task === 'classification') return model.forward(x).softmax(1).toArray() as Float32Array;
      const [h, w] = image.shape.slice(1);
      const { padded } = padToMultiple(x, config.training.padMultiple);
      return cropTo(foregroundProbability(model.forward(padded)), [h, w]).toArray() as Float32Array;
    }),
  );
}

export async function predictFiles(
  runDir: string,
  files: string[],
  outDir?: string,
  options: {
    threshold?: number;
    maps?: boolean;
    /** Another engine's forward (ONNX Runtime): class probabilities or the cropped foreground probability map. */
    infer?: (image: MedicalImage, config: TrainingConfig) => Promise<Float32Array>;
    /** With `maps`, another engine's prediction and attention maps (ONNX Runtime) in place of libtorch's. */
    looked?: (image: MedicalImage, config: TrainingConfig) => Promise<LookedMaps>;
    /** A detector's heads from another engine (ONNX Runtime), decoded as libtorch's are. */
    detect?: (image: MedicalImage) => Promise<CenterNetHeads>;
  } = {},
): Promise<Prediction[]> {
  if (!files.length) throw new ConfigError('predict', 'FILE', 'give at least one image file');
  const { config, model, dir, inputShape, classNames, threshold: chosen } = loadRun(runDir);
  const threshold = options.threshold ?? chosen ?? 0.5;
  const channels = inputShape?.[0] ?? (model.config as { inChannels?: number }).inChannels ?? 1;
  const target = outDir ?? join(dir, 'predictions');
  if (config.task === 'detection')
    return predictDetections(model as unknown as CenterNet, config, classNames, files, target, {
      scoreThreshold: options.threshold,
      matchChannels: (image) => matchChannels(image, channels),
      heads: options.detect,
    });
  const transform = createTransform(config.transforms.eval);
  const results: Prediction[] = [];
  if (config.task === 'segmentation' || options.maps) mkdirSync(target, { recursive: true });
  for (const file of files) {
    let image = matchChannelsForTransforms(await readImage(file), config.transforms.eval, channels);
    let sample = transform.apply({ image }, Rng.seeded(0));
    image = sample.image as MedicalImage;
    if (config.task === 'classification' && inputShape && image.shape.slice(1).join() !== inputShape.slice(1).join()) {
      sample = new Resize({ size: inputShape.slice(1) }).apply(sample);
      image = sample.image as MedicalImage;
    }
    const stem = basename(file, extname(file));
    // With maps, the forward pass that draws them also gives the prediction.
    const looked = options.maps
      ? options.looked
        ? await options.looked(image, config)
        : whereItLooked(model, image, config)
      : undefined;
    const output =
      looked?.output ?? (options.infer ? await options.infer(image, config) : predictImage(model, image, config));
    const mapsPath = join(target, `${stem}_maps.png`);
    if (looked) await writeGrid(mapsPath, [await lookedRow(image, looked)]);
    const maps = looked ? { maps: mapsPath, mapColumns: looked.columns } : {};
    if (config.task === 'classification') {
      const probs = output;
      const names = classNames ?? Array.from(probs, (_, i) => String(i));
      const probabilities = Object.fromEntries(Array.from(probs, (p, i) => [names[i] ?? String(i), +p.toFixed(6)]));
      // Binary: the positive class when its probability reaches the threshold; otherwise the most probable class.
      const best = probs.length === 2 ? (probs[1] >= threshold ? 1 : 0) : probs.indexOf(Math.max(...probs));
      results.push({
        file,
        probabilities,
        predicted: names[best] ?? String(best),
        ...(probs.length === 2 ? { threshold } : {}),
        ...maps,
      });
    } else {
      const [h, w] = image.shape.slice(1);
      const prob = output;
      const maskPath = join(target, `${stem}_mask.png`);
      const probPath = join(target, `${stem}_prob.png`);
      const mask = Uint8Array.from(prob, (p) => (p >= 0.5 ? 255 : 0));
      await sharp(Buffer.from(mask), { raw: { width: w, height: h, channels: 1 } })
        .png()
        .toFile(maskPath);
      await sharp(Buffer.from(Uint8Array.from(prob, (p) => Math.round(p * 255))), {
        raw: { width: w, height: h, channels: 1 },
      })
        .png()
        .toFile(probPath);
      results.push({
        file,
        mask: maskPath,
        probabilityMap: probPath,
        foreground: mask.reduce((a, b) => a + (b ? 1 : 0), 0) / mask.length,
        ...maps,
      });
    }
  }
  return results;
}
