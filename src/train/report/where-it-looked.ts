/**
 * Pictures of where a model looked at one image: the input, (for segmentation) the predicted probability,
 * each attention block's spatial map and (for classifiers) Grad-CAM of the predicted class, as a row of
 * tiles. The run report stacks one row per validation image; `medattn predict --maps` writes one per file.
 */
import sharp from 'sharp';
import type { MedicalImage } from '../../data/medical-image.js';
import { gradCam, greyToRgb, overlayHeatmap, supportsGradCam } from '../../explain/index.js';
import type { AttentionModel } from '../../models/attention-model.js';
import { noGrad, tensor, tidy } from '../../tensor/index.js';
import type { TrainingConfig } from '../config.js';
import { cropTo, foregroundProbability, padToMultiple } from '../pad-to-multiple.js';

const TILE = 160;

/**
 * An RGB tile of TILE x TILE pixels. Nearest-neighbour keeps small images crisp and masks binary (smooth
 * resampling turned thin brain regions and vessels grey).
 */
export async function tile(
  rgb: Uint8Array,
  width: number,
  height: number,
  options: { mask?: boolean } = {},
): Promise<Buffer> {
  const nearest = options.mask || width < TILE / 2;
  return sharp(Buffer.from(rgb), { raw: { width, height, channels: 3 } })
    .resize(TILE, TILE, { fit: 'contain', kernel: nearest ? 'nearest' : 'lanczos3', background: '#ffffff' })
    .raw()
    .toBuffer();
}

/** Writes rows of equally sized RGB tiles as one PNG grid. */
export async function writeGrid(path: string, rows: Buffer[][]): Promise<void> {
  const cols = Math.max(...rows.map((r) => r.length));
  const gap = 4;
  const composites = rows.flatMap((row, i) =>
    row.map((input, j) => ({
      input,
      raw: { width: TILE, height: TILE, channels: 3 as const },
      left: j * (TILE + gap),
      top: i * (TILE + gap),
    })),
  );
  await sharp({
    create: {
      width: cols * (TILE + gap) - gap,
      height: rows.length * (TILE + gap) - gap,
      channels: 3,
      background: '#ffffff',
    },
  })
    .composite(composites)
    .png()
    .toFile(path);
}

/** First channel of a [C, H, W] image, for display. */
export function firstChannel(image: MedicalImage): Float32Array {
  const plane = image.shape[1] * image.shape[2];
  return Float32Array.from((image.data as Float32Array).subarray(0, plane));
}

export interface LookedMaps {
  /** Segmentation rows show the predicted probability after the input. */
  segmentation: boolean;
  /** Column titles, one per tile of lookedRow. */
  columns: string[];
  /** Heat maps at the image's size, after the input (and probability) columns. */
  maps: Float32Array[];
  /** Classification: class probabilities; segmentation: foreground probability per pixel. */
  output: Float32Array;
}

/** One forward pass of a [C, H, W] image: the output, every spatial attention map and, for classifiers, Grad-CAM. */
export function whereItLooked(model: AttentionModel, image: MedicalImage, config: TrainingConfig): LookedMaps {
  const [, h, w] = image.shape;
  const segmentation = config.task === 'segmentation';
  return tidy(() =>
    noGrad(() => {
      const x = tensor(Float32Array.from(image.data as ArrayLike<number>), { shape: [1, ...image.shape] });
      const padded = segmentation ? padToMultiple(x, config.training.padMultiple).padded : x;
      const { output, attention } = model.forwardWithAttention(padded);
      const spatial = [...attention].filter(([k]) => k.endsWith('.spatial'));
      const columns = [
        'input',
        ...(segmentation ? ['predicted probability'] : []),
        ...spatial.map(([k]) => k.replace(/\.spatial$/, '')),
      ];
      const maps = spatial.map(([, v]) => cropTo(v, [h, w]).toArray() as Float32Array);
      // Grad-CAM of the predicted class: the same kind of map for plain and attention classifiers.
      if (!segmentation && supportsGradCam(model)) {
        columns.push('Grad-CAM of the predicted class');
        maps.push(gradCam(model, x).toArray() as Float32Array);
      }
      const out = segmentation ? cropTo(foregroundProbability(output), [h, w]).toArray() : output.softmax(1).toArray();
      return { segmentation, columns, maps, output: out as Float32Array };
    }),
  );
}

/** The tiles of one image: input, (probability), then each map overlaid in turbo colours. */
export async function lookedRow(image: MedicalImage, looked: LookedMaps): Promise<Buffer[]> {
  const [, h, w] = image.shape;
  const grey = firstChannel(image);
  const row = [await tile(greyToRgb(grey), w, h)];
  if (looked.segmentation) row.push(await tile(overlayHeatmap(grey, looked.output, 0.6, [0, 1]), w, h));
  for (const map of looked.maps) row.push(await tile(overlayHeatmap(grey, map), w, h));
  return row;
}
