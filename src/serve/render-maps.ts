/**
 * `?maps=1`: the pictures a clinician checks a prediction against, as PNG data URLs: the image as the model saw
 * it, each spatial attention map (as a grey map and as a turbo overlay on the image, src/explain/overlay.ts) and,
 * for segmenters, the predicted mask. Channel attention (one weight per feature channel) is not a picture and
 * is returned as numbers.
 */
import sharp from 'sharp';
import { classColor, drawBoxesPng } from '../explain/draw-boxes.js';
import { greyToRgb, normalizeMap, overlayHeatmap } from '../explain/overlay.js';
import type { Detection } from '../models/centernet-decode.js';
import type { OnnxOutput } from '../runtime/index.js';
import { cropPlane } from './model-input.js';

export interface RenderedMaps {
  image: string;
  attention: Array<{ name: string; map: string; overlay: string }>;
  channelAttention: Record<string, number[]>;
  mask?: string;
}

async function png(pixels: Uint8Array, [h, w]: number[], channels: 1 | 3): Promise<string> {
  const buf = await sharp(Buffer.from(pixels.buffer, pixels.byteOffset, pixels.byteLength), {
    raw: { width: w, height: h, channels },
  })
    // sharp writes sRGB unless told: a grey map stays one channel
    .toColourspace(channels === 1 ? 'b-w' : 'srgb')
    .png()
    .toBuffer();
  return `data:image/png;base64,${buf.toString('base64')}`;
}

/** `display`: the image to draw under the maps ([h, w], any range); outputs: one item's, padded like the input. */
export async function renderMaps(
  display: Float32Array,
  size: [number, number],
  outputs: Map<string, OnnxOutput>,
  attentionOutputs: string[],
  mask?: Float32Array,
): Promise<RenderedMaps> {
  const attention: RenderedMaps['attention'] = [];
  const channelAttention: Record<string, number[]> = {};
  for (const name of attentionOutputs) {
    const out = outputs.get(name);
    if (!out) continue;
    const short = name.replace(/^attention\//, '');
    if (out.dims.length === 2) {
      channelAttention[short] = Array.from(out.data, (v) => +v.toFixed(6));
      continue;
    }
    const map = cropPlane(out.data, out.dims.slice(-2), size);
    const grey = Uint8Array.from(normalizeMap(map), (v) => Math.round(v * 255));
    attention.push({
      name: short,
      map: await png(grey, size, 1),
      overlay: await png(overlayHeatmap(display, map), size, 3),
    });
  }
  const image = await png(greyToRgb(display), size, 3);
  const maskPng = mask
    ? await png(
        Uint8Array.from(mask, (p) => (p >= 0.5 ? 255 : 0)),
        size,
        1,
      )
    : undefined;
  return { image, attention, channelAttention, ...(maskPng ? { mask: maskPng } : {}) };
}

/** A detector's boxes (in the model input's pixels) drawn with class and score on the image as the model saw it. */
export async function boxesPng(
  display: Float32Array,
  [h, w]: [number, number],
  found: Detection[],
  classNames: readonly string[],
): Promise<string> {
  const boxes = found.map((d) => ({
    box: d.box,
    label: `${classNames[d.classId] ?? d.classId} ${d.score.toFixed(2)}`,
    color: classColor(d.classId),
  }));
  const buf = await drawBoxesPng(greyToRgb(display), w, h, boxes);
  return `data:image/png;base64,${buf.toString('base64')}`;
}
