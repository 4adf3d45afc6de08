/**
 * Image grids of the report as HTML tables: a title over each column, a caption beside each row, each picture
 * an embedded PNG (the report stays one file) at a size where a radiologist can see it. Small inputs (28 px
 * MedMNIST) are enlarged by a whole factor with nearest neighbour, so each pixel stays a sharp square; large
 * ones (565 px fundus photographs) are reduced to fit.
 */
import sharp from 'sharp';
import { turbo } from '../../explain/index.js';
import { html, joinHtml, type SafeHtml } from './html.js';

/** Small images are enlarged to at least this many pixels on their longer side. */
export const MIN_DISPLAY = 112;
/** Large images are reduced to at most this many pixels on their longer side. */
export const MAX_DISPLAY = 240;
/** Whole-factor enlargement aims at this size (28 px -> 6 x 28 = 168 px). */
const TARGET_DISPLAY = 180;

/** Displayed size of a width x height image and whether it is resampled with nearest neighbour. */
export function displaySize(
  width: number,
  height: number,
  maxDisplay = MAX_DISPLAY,
): { width: number; height: number; factor: number } {
  const longer = Math.max(width, height);
  if (longer < MIN_DISPLAY) {
    const factor = Math.max(Math.ceil(MIN_DISPLAY / longer), Math.floor(TARGET_DISPLAY / longer));
    return { width: width * factor, height: height * factor, factor };
  }
  if (longer > maxDisplay) {
    const factor = maxDisplay / longer;
    return { width: Math.round(width * factor), height: Math.round(height * factor), factor };
  }
  return { width, height, factor: 1 };
}

/** An RGB picture as a PNG at its display size: nearest neighbour when enlarged or for masks, else Lanczos. */
export async function displayPng(
  rgb: Uint8Array,
  width: number,
  height: number,
  options: { mask?: boolean; maxDisplay?: number } = {},
): Promise<{ png: Buffer; width: number; height: number }> {
  const size = displaySize(width, height, options.maxDisplay);
  const kernel = options.mask || size.factor > 1 ? 'nearest' : 'lanczos3';
  const png = await sharp(Buffer.from(rgb), { raw: { width, height, channels: 3 } })
    .resize(size.width, size.height, { kernel, fit: 'fill' })
    .png()
    .toBuffer();
  return { png, width: size.width, height: size.height };
}

/** Width available to the pictures of a grid row on the report's page (1240 px less the case column). */
const GRID_WIDTH = 1060;

/** The largest display size at which `columns` pictures fit side by side on the page (never above MAX_DISPLAY). */
export function maxDisplayFor(columns: number): number {
  return Math.max(MIN_DISPLAY, Math.min(MAX_DISPLAY, Math.floor(GRID_WIDTH / Math.max(1, columns)) - 8));
}

/** An <img> of embedded PNG bytes. */
export function pngImg(png: Buffer, width: number, height: number, alt: string): SafeHtml {
  return html`<img
    src="data:image/png;base64,${png.toString('base64')}"
    width="${width}"
    height="${height}"
    alt="${alt}"
  />`;
}

export interface ImageRow {
  /** Markup beside the row: case id, truth, prediction. */
  caption: SafeHtml;
  cells: { png: Buffer; width: number; height: number }[];
}

/** Lets long block names (`stages.1.attention.spatial_gate`) wrap after dots and underscores. */
function breakable(title: string): string {
  return title.replace(/([._])/g, '$1\u200b');
}

/** The grid: column titles over the pictures, a caption cell first in each row. */
export function imageTable(
  columns: string[],
  rows: ImageRow[],
  options: { title?: string; captionTitle?: string } = {},
): SafeHtml {
  const head = html`<tr>
    <th>${options.captionTitle ?? 'case'}</th>
    ${columns.map((c) => html`<th>${breakable(c)}</th>`)}
  </tr>`;
  const body = rows.map(
    (r) =>
      html`<tr>
        <td class="case">${r.caption}</td>
        ${r.cells.map((c, j) => html`<td>${pngImg(c.png, c.width, c.height, columns[j] ?? '')}</td>`)}
      </tr>`,
  );
  return html`<div class="grid-wrap">
    <table class="grid" title="${options.title ?? ''}">
      <thead>
        ${head}
      </thead>
      <tbody>
        ${joinHtml(body, '\n')}
      </tbody>
    </table>
  </div>`;
}

/** A horizontal turbo colour bar (CSS gradient) from `low` to `high`, as the overlays colour their maps. */
export function colourBar(low: string, high: string, label: string): SafeHtml {
  const stops = Array.from({ length: 11 }, (_, i) => {
    const [r, g, b] = turbo(i / 10);
    return `rgb(${r},${g},${b}) ${i * 10}%`;
  }).join(', ');
  return html`<div class="colourbar">
    <span>${low}</span><span class="bar" style="background: linear-gradient(to right, ${stops})"></span
    ><span>${high}</span><span class="bar-label">${label}</span>
  </div>`;
}
