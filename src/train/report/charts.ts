/**
 * Small SVG charts for run reports (line curves, ROC, confusion matrix), rasterised to PNG by sharp so the
 * report is plain files that open anywhere.
 */
import sharp from 'sharp';

const COLORS = ['#1f77b4', '#d62728', '#2ca02c', '#ff7f0e', '#9467bd'];

function esc(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

export interface Series {
  name: string;
  x: number[];
  y: number[];
}

/** Line chart of several series with axes, ticks and a legend. */
export function lineChartSvg(title: string, series: Series[], options: { xLabel?: string; yLabel?: string; yRange?: [number, number]; diagonal?: boolean } = {}): string {
  const W = 520;
  const H = 340;
  const m = { l: 60, r: 20, t: 36, b: 48 };
  const xs = series.flatMap((s) => s.x).filter(Number.isFinite);
  const ys = series.flatMap((s) => s.y).filter(Number.isFinite);
  let [x0, x1] = [Math.min(...xs), Math.max(...xs)];
  let [y0, y1] = options.yRange ?? [Math.min(...ys), Math.max(...ys)];
  if (!(x1 > x0)) [x0, x1] = [x0 - 1, x0 + 1];
  if (!(y1 > y0)) [y0, y1] = [y0 - 0.5, y0 + 0.5];
  const px = (x: number) => m.l + ((x - x0) / (x1 - x0)) * (W - m.l - m.r);
  const py = (y: number) => H - m.b - ((y - y0) / (y1 - y0)) * (H - m.t - m.b);
  const parts = [`<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" font-family="DejaVu Sans, sans-serif" font-size="12">`, `<rect width="100%" height="100%" fill="white"/>`];
  parts.push(`<text x="${W / 2}" y="20" text-anchor="middle" font-size="14" font-weight="bold">${esc(title)}</text>`);
  for (let i = 0; i <= 4; i++) {
    const yv = y0 + ((y1 - y0) * i) / 4;
    const xv = x0 + ((x1 - x0) * i) / 4;
    parts.push(`<line x1="${m.l}" x2="${W - m.r}" y1="${py(yv)}" y2="${py(yv)}" stroke="#eee"/>`);
    parts.push(`<text x="${m.l - 6}" y="${py(yv) + 4}" text-anchor="end">${+yv.toPrecision(3)}</text>`);
    parts.push(`<text x="${px(xv)}" y="${H - m.b + 16}" text-anchor="middle">${+xv.toPrecision(3)}</text>`);
  }
  parts.push(`<rect x="${m.l}" y="${m.t}" width="${W - m.l - m.r}" height="${H - m.t - m.b}" fill="none" stroke="#444"/>`);
  if (options.diagonal) parts.push(`<line x1="${px(0)}" y1="${py(0)}" x2="${px(1)}" y2="${py(1)}" stroke="#999" stroke-dasharray="4 4"/>`);
  series.forEach((s, k) => {
    const pts = s.x.map((x, i) => [x, s.y[i]]).filter(([, y]) => Number.isFinite(y));
    if (pts.length) parts.push(`<polyline fill="none" stroke="${COLORS[k % COLORS.length]}" stroke-width="2" points="${pts.map(([x, y]) => `${px(x).toFixed(1)},${py(y).toFixed(1)}`).join(' ')}"/>`);
    parts.push(`<rect x="${m.l + 10}" y="${m.t + 8 + k * 18}" width="12" height="3" fill="${COLORS[k % COLORS.length]}"/>`);
    parts.push(`<text x="${m.l + 28}" y="${m.t + 13 + k * 18}">${esc(s.name)}</text>`);
  });
  if (options.xLabel) parts.push(`<text x="${W / 2}" y="${H - 10}" text-anchor="middle">${esc(options.xLabel)}</text>`);
  if (options.yLabel) parts.push(`<text x="16" y="${H / 2}" text-anchor="middle" transform="rotate(-90 16 ${H / 2})">${esc(options.yLabel)}</text>`);
  parts.push('</svg>');
  return parts.join('');
}

/** Confusion matrix with counts, rows = true class, columns = predicted class. */
export function confusionMatrixSvg(matrix: number[][], classNames: string[]): string {
  const k = matrix.length;
  const cell = 80;
  const m = { l: 110, t: 60 };
  const W = m.l + k * cell + 20;
  const H = m.t + k * cell + 40;
  const max = Math.max(1, ...matrix.flat());
  const parts = [`<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" font-family="DejaVu Sans, sans-serif" font-size="12">`, `<rect width="100%" height="100%" fill="white"/>`];
  parts.push(`<text x="${W / 2}" y="18" text-anchor="middle" font-size="14" font-weight="bold">Confusion matrix</text>`);
  parts.push(`<text x="${m.l + (k * cell) / 2}" y="${m.t - 24}" text-anchor="middle">predicted</text>`);
  for (let i = 0; i < k; i++) {
    parts.push(`<text x="${m.l - 8}" y="${m.t + i * cell + cell / 2 + 4}" text-anchor="end">${esc(classNames[i] ?? String(i))}</text>`);
    parts.push(`<text x="${m.l + i * cell + cell / 2}" y="${m.t - 6}" text-anchor="middle">${esc(classNames[i] ?? String(i))}</text>`);
    for (let j = 0; j < k; j++) {
      const v = matrix[i][j];
      const shade = Math.round(255 - (v / max) * 180);
      parts.push(`<rect x="${m.l + j * cell}" y="${m.t + i * cell}" width="${cell}" height="${cell}" fill="rgb(${shade},${shade},255)" stroke="#444"/>`);
      parts.push(`<text x="${m.l + j * cell + cell / 2}" y="${m.t + i * cell + cell / 2 + 5}" text-anchor="middle" font-size="16">${v}</text>`);
    }
  }
  parts.push(`<text x="${m.l + (k * cell) / 2}" y="${H - 10}" text-anchor="middle">rows: true class</text>`);
  parts.push('</svg>');
  return parts.join('');
}

export async function svgToPng(svg: string, path: string): Promise<void> {
  await sharp(Buffer.from(svg)).png().toFile(path);
}
