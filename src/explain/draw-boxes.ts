/**
 * Draws labelled boxes on an RGB picture and encodes it as PNG: each box an outline in its class's colour with
 * a caption ("RBC 0.87") on a filled tab above it. The boxes are an SVG layer that sharp composites over the
 * pixels, so captions are real text at any image size.
 */
import sharp from 'sharp';

export { CLASS_COLORS, classColor } from './class-colors.js';

export interface DrawnBox {
  /** [x1, y1, x2, y2] in the picture's pixels. */
  box: [number, number, number, number];
  label: string;
  /** CSS colour. */
  color: string;
  /** Dashed outline (e.g. ground truth beside predictions). */
  dashed?: boolean;
}

function escapeXml(s: string): string {
  return s.replace(/[<>&"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** PNG bytes of `rgb` ([H, W, 3] interleaved, `width` x `height`) with the boxes drawn. */
export async function drawBoxesPng(rgb: Uint8Array, width: number, height: number, boxes: DrawnBox[]): Promise<Buffer> {
  const stroke = Math.max(1, Math.round(Math.min(width, height) / 240));
  const font = Math.max(8, Math.round(Math.min(width, height) / 40));
  const shapes = boxes.map(({ box: [x1, y1, x2, y2], label, color, dashed }) => {
    const tabW = Math.round(label.length * font * 0.6 + 4);
    const tabY = y1 - font - 2 >= 0 ? y1 - font - 2 : y1;
    return `<rect x="${x1}" y="${y1}" width="${Math.max(0, x2 - x1)}" height="${Math.max(0, y2 - y1)}" fill="none" stroke="${color}" stroke-width="${stroke}"${dashed ? ` stroke-dasharray="${4 * stroke},${3 * stroke}"` : ''}/>
${label ? `<rect x="${x1}" y="${tabY}" width="${tabW}" height="${font + 2}" fill="${color}" opacity="0.85"/><text x="${x1 + 2}" y="${tabY + font - 1}" font-family="DejaVu Sans, sans-serif" font-size="${font}" fill="#000">${escapeXml(label)}</text>` : ''}`;
  });
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}">${shapes.join('\n')}</svg>`;
  return sharp(Buffer.from(rgb), { raw: { width, height, channels: 3 } })
    .composite([{ input: Buffer.from(svg), top: 0, left: 0 }])
    .png()
    .toBuffer();
}

/** An 8-bit RGB picture of a channels-first image ([1 or 3, H, W]) scaled from its own min..max. */
export function imageToRgb(data: ArrayLike<number>, shape: readonly number[]): Uint8Array {
  const [c, h, w] = shape;
  const n = h * w;
  let lo = Infinity;
  let hi = -Infinity;
  for (let i = 0; i < c * n; i++) {
    lo = Math.min(lo, data[i]);
    hi = Math.max(hi, data[i]);
  }
  const scale = hi > lo ? 255 / (hi - lo) : 0;
  const out = new Uint8Array(n * 3);
  for (let i = 0; i < n; i++)
    for (let k = 0; k < 3; k++) out[i * 3 + k] = Math.round((data[(c === 3 ? k : 0) * n + i] - lo) * scale);
  return out;
}
