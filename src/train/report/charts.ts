/**
 * Small SVG charts for run reports (line curves, ROC, confusion matrix), rasterised to PNG by sharp so the
 * report's pictures are plain files that open anywhere. Ticks fall on round numbers (integers for epochs) and
 * legends sit beside the plot, never over the curves.
 */
import sharp from 'sharp';
import { escapeHtml } from './html.js';
import { writeFileAtomic } from '../run-folder-files.js';

const COLORS = ['#1f77b4', '#d62728', '#2ca02c', '#ff7f0e', '#9467bd', '#8c564b'];

/** SVG text content and attribute values escape the same characters as HTML. */
const esc = escapeHtml;

/**
 * Round tick values covering [lo, hi]: steps of 1, 2, 2.5 or 5 times a power of ten, at most about `maxCount`
 * ticks, the first at or below lo and the last at or above hi. `integer` keeps steps whole (epochs).
 */
export function niceTicks(lo: number, hi: number, maxCount = 6, integer = false): number[] {
  if (!(hi > lo)) {
    const half = integer ? 1 : Math.abs(lo) > 0 ? Math.abs(lo) / 10 : 0.5;
    [lo, hi] = [lo - half, hi + half];
  }
  const raw = (hi - lo) / Math.max(1, maxCount - 1);
  const power = 10 ** Math.floor(Math.log10(raw));
  let step = [1, 2, 2.5, 5, 10].map((f) => f * power).find((s) => s >= raw * (1 - 1e-9)) ?? 10 * power;
  if (integer) step = Math.max(1, Math.ceil(step));
  const first = Math.floor(lo / step + 1e-9) * step;
  const ticks: number[] = [];
  for (let v = first; v < hi + step * (1 - 1e-9); v += step) ticks.push(+v.toFixed(10));
  return ticks;
}

/** Tick labels with as many decimals as the step has (step 0.25 -> "0.50", step 2 -> "4"). */
function tickLabel(v: number, step: number): string {
  const decimals = String(+step.toPrecision(6)).split('.')[1]?.length ?? 0;
  return v.toFixed(decimals);
}

export interface Series {
  name: string;
  x: number[];
  y: number[];
}

export interface LineChartOptions {
  xLabel?: string;
  yLabel?: string;
  /** Fixed y range (metrics in [0, 1]); otherwise round bounds around the data. */
  yRange?: [number, number];
  /** Fixed x range (ROC: [0, 1]). */
  xRange?: [number, number];
  /** The y = x line of a ROC plot. */
  diagonal?: boolean;
  /** Whole-number x ticks (epochs). */
  integerX?: boolean;
  /** A dashed vertical line with a label, e.g. the best epoch. */
  markX?: { x: number; label: string };
  /** Labelled points, e.g. the operating point of a ROC curve. */
  points?: { x: number; y: number; label: string }[];
}

/** Line chart of several series with round-number ticks, the legend to the right of the plot. */
export function lineChartSvg(title: string, series: Series[], options: LineChartOptions = {}): string {
  // A single curve needs no legend (its name is the title); otherwise one entry per curve and the marker.
  const legend = series.length > 1 || options.markX !== undefined;
  const legendNames = [...series.map((s) => s.name), options.markX?.label ?? ''];
  const legendWidth = legend ? Math.max(90, 44 + 7 * Math.max(...legendNames.map((n) => n.length))) : 0;
  const plotW = 360;
  const plotH = 260;
  const m = { l: 62, r: legendWidth + 16, t: 36, b: 48 };
  const W = m.l + plotW + m.r;
  const H = m.t + plotH + m.b;
  const xs = series.flatMap((s) => s.x).filter(Number.isFinite);
  const ys = series.flatMap((s) => s.y).filter(Number.isFinite);
  const [xMin, xMax] = xs.length ? [Math.min(...xs), Math.max(...xs)] : [0, 1];
  // Epoch axes: whole-number ticks inside the epochs run (no epoch 0 before a 1-based first epoch), and half an
  // epoch of room at each end so the first and last points are not on the frame.
  const xTicks = options.xRange
    ? niceTicks(options.xRange[0], options.xRange[1], 6)
    : options.integerX
      ? niceTicks(xMin, xMax, 8, true).filter((t) => t >= xMin && t <= xMax)
      : niceTicks(xMin, xMax, 8);
  const yTicks = options.yRange
    ? niceTicks(options.yRange[0], options.yRange[1], 6)
    : niceTicks(ys.length ? Math.min(...ys) : 0, ys.length ? Math.max(...ys) : 1, 6);
  const [x0, x1] =
    options.xRange ??
    (options.integerX ? [xMin - 0.5, xMax + 0.5] : [Math.min(xTicks[0], xMin), Math.max(xTicks.at(-1)!, xMax)]);
  const [y0, y1] = options.yRange ?? [yTicks[0], yTicks.at(-1)!];
  const px = (x: number) => m.l + ((x - x0) / (x1 - x0)) * plotW;
  const py = (y: number) => m.t + plotH - ((y - y0) / (y1 - y0)) * plotH;
  const parts = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" font-family="DejaVu Sans, sans-serif" font-size="12">`,
    `<rect width="100%" height="100%" fill="white"/>`,
    `<text x="${m.l + plotW / 2}" y="20" text-anchor="middle" font-size="14" font-weight="bold">${esc(title)}</text>`,
  ];
  const yStep = yTicks.length > 1 ? yTicks[1] - yTicks[0] : 1;
  for (const v of yTicks) {
    if (v < y0 - 1e-9 || v > y1 + 1e-9) continue;
    parts.push(`<line x1="${m.l}" x2="${m.l + plotW}" y1="${py(v)}" y2="${py(v)}" stroke="#eee"/>`);
    parts.push(`<text x="${m.l - 6}" y="${py(v) + 4}" text-anchor="end">${tickLabel(v, yStep)}</text>`);
  }
  const xStep = xTicks.length > 1 ? xTicks[1] - xTicks[0] : options.integerX ? 1 : xMax - xMin || 1;
  for (const v of xTicks) {
    if (v < x0 - 1e-9 || v > x1 + 1e-9) continue;
    parts.push(`<line x1="${px(v)}" x2="${px(v)}" y1="${m.t + plotH}" y2="${m.t + plotH + 4}" stroke="#444"/>`);
    parts.push(
      `<text x="${px(v)}" y="${m.t + plotH + 17}" text-anchor="middle" class="x-tick">${tickLabel(v, xStep)}</text>`,
    );
  }
  parts.push(`<rect x="${m.l}" y="${m.t}" width="${plotW}" height="${plotH}" fill="none" stroke="#444"/>`);
  if (options.diagonal)
    parts.push(`<line x1="${px(0)}" y1="${py(0)}" x2="${px(1)}" y2="${py(1)}" stroke="#999" stroke-dasharray="4 4"/>`);
  if (options.markX) {
    const x = px(options.markX.x);
    parts.push(`<line x1="${x}" x2="${x}" y1="${m.t}" y2="${m.t + plotH}" stroke="#777" stroke-dasharray="5 3"/>`);
  }
  series.forEach((s, k) => {
    const color = COLORS[k % COLORS.length];
    const pts = s.x.map((x, i) => [x, s.y[i]]).filter(([x, y]) => Number.isFinite(x) && Number.isFinite(y));
    if (pts.length)
      parts.push(
        `<polyline fill="none" stroke="${color}" stroke-width="2" points="${pts.map(([x, y]) => `${px(x).toFixed(1)},${py(y).toFixed(1)}`).join(' ')}"/>`,
      );
    // Dots show each epoch (a one-epoch run has no line to draw); curves such as ROC have no dots.
    if (options.integerX && pts.length <= 40)
      for (const [x, y] of pts)
        parts.push(`<circle cx="${px(x).toFixed(1)}" cy="${py(y).toFixed(1)}" r="3" fill="${color}"/>`);
    const ly = m.t + 10 + k * 20;
    if (legend)
      parts.push(
        `<line x1="${m.l + plotW + 14}" x2="${m.l + plotW + 34}" y1="${ly}" y2="${ly}" stroke="${color}" stroke-width="3"/>`,
      );
    if (legend) parts.push(`<text x="${m.l + plotW + 40}" y="${ly + 4}">${esc(s.name)}</text>`);
  });
  if (options.markX) {
    const ly = m.t + 10 + series.length * 20;
    parts.push(
      `<line x1="${m.l + plotW + 14}" x2="${m.l + plotW + 34}" y1="${ly}" y2="${ly}" stroke="#777" stroke-dasharray="5 3"/>`,
    );
    parts.push(`<text x="${m.l + plotW + 40}" y="${ly + 4}">${esc(options.markX.label)}</text>`);
  }
  for (const p of options.points ?? []) {
    parts.push(`<circle cx="${px(p.x)}" cy="${py(p.y)}" r="5" fill="none" stroke="#000" stroke-width="2"/>`);
    // Label above and right of the point, inside the frame (below it near the top, left of it near the right).
    const right = px(p.x) + 9 + 7 * p.label.length > m.l + plotW;
    const below = py(p.y) - 10 < m.t + 14;
    parts.push(
      `<text x="${px(p.x) + (right ? -9 : 9)}" y="${py(p.y) + (below ? 20 : -10)}" text-anchor="${right ? 'end' : 'start'}">${esc(p.label)}</text>`,
    );
  }
  if (options.xLabel)
    parts.push(`<text x="${m.l + plotW / 2}" y="${H - 10}" text-anchor="middle">${esc(options.xLabel)}</text>`);
  if (options.yLabel)
    parts.push(
      `<text x="16" y="${m.t + plotH / 2}" text-anchor="middle" transform="rotate(-90 16 ${m.t + plotH / 2})">${esc(options.yLabel)}</text>`,
    );
  parts.push('</svg>');
  return parts.join('');
}

/** Confusion matrix: rows = true class, columns = predicted class; each cell its count and row percentage. */
export function confusionMatrixSvg(matrix: number[][], classNames: string[], title = 'Confusion matrix'): string {
  const k = matrix.length;
  const cell = 90;
  const name = (i: number, max: number) => {
    const n = classNames[i] ?? String(i);
    return n.length > max ? `${n.slice(0, max - 1)}…` : n;
  };
  // Row labels have room for 20 characters; column labels must fit their cell.
  const names = Array.from({ length: k }, (_, i) => name(i, 20));
  const columnNames = Array.from({ length: k }, (_, i) => name(i, 12));
  const m = { l: 40 + 8 * Math.max(4, ...names.map((n) => n.length)), t: 64 };
  const W = m.l + k * cell + 20;
  const H = m.t + k * cell + 20;
  const max = Math.max(1, ...matrix.flat());
  const parts = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" font-family="DejaVu Sans, sans-serif" font-size="12">`,
    `<rect width="100%" height="100%" fill="white"/>`,
  ];
  parts.push(`<text x="${W / 2}" y="18" text-anchor="middle" font-size="14" font-weight="bold">${esc(title)}</text>`);
  parts.push(
    `<text x="${m.l + (k * cell) / 2}" y="${m.t - 26}" text-anchor="middle" font-style="italic">predicted class</text>`,
  );
  parts.push(
    `<text x="14" y="${m.t + (k * cell) / 2}" text-anchor="middle" font-style="italic" transform="rotate(-90 14 ${m.t + (k * cell) / 2})">true class</text>`,
  );
  for (let i = 0; i < k; i++) {
    parts.push(`<text x="${m.l - 8}" y="${m.t + i * cell + cell / 2 + 4}" text-anchor="end">${esc(names[i])}</text>`);
    parts.push(
      `<text x="${m.l + i * cell + cell / 2}" y="${m.t - 8}" text-anchor="middle">${esc(columnNames[i])}</text>`,
    );
    const rowTotal = matrix[i].reduce((a, b) => a + b, 0);
    for (let j = 0; j < k; j++) {
      const v = matrix[i][j];
      const shade = Math.round(255 - (v / max) * 180);
      const ink = shade < 140 ? 'white' : 'black';
      const x = m.l + j * cell;
      const y = m.t + i * cell;
      parts.push(
        `<rect x="${x}" y="${y}" width="${cell}" height="${cell}" fill="rgb(${shade},${shade},255)" stroke="#444"/>`,
      );
      parts.push(
        `<text x="${x + cell / 2}" y="${y + cell / 2}" text-anchor="middle" font-size="18" fill="${ink}">${v}</text>`,
      );
      const pct = rowTotal ? `${((100 * v) / rowTotal).toFixed(1)}%` : '-';
      parts.push(
        `<text x="${x + cell / 2}" y="${y + cell / 2 + 20}" text-anchor="middle" font-size="11" fill="${ink}">${pct}</text>`,
      );
    }
  }
  parts.push('</svg>');
  return parts.join('');
}

/**
 * Writes the SVG as a PNG at twice its size (sharp renders at 144 dpi), crisp when the report shows it at its
 * SVG size on a high-density screen, and returns the PNG bytes.
 */
export async function svgToPng(svg: string, path: string): Promise<Buffer> {
  const png = await sharp(Buffer.from(svg), { density: 144 }).png().toBuffer();
  writeFileAtomic(path, png);
  return png;
}

/** Width and height of an SVG this module made (from its root element). */
export function svgSize(svg: string): { width: number; height: number } {
  const match = /<svg[^>]*width="(\d+(?:\.\d+)?)"[^>]*height="(\d+(?:\.\d+)?)"/.exec(svg);
  return { width: Number(match?.[1] ?? 0), height: Number(match?.[2] ?? 0) };
}
