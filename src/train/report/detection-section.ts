/**
 * The detection part of a run's report: per-class AP at the best epoch, and validation images with the best
 * checkpoint's boxes (class colour, score) over the true boxes (dashed white), the centre heat map, and every
 * spatial attention map of the backbone from the same forward pass. Also written as detection.png.
 */
import { join } from 'node:path';
import sharp from 'sharp';
import { resizeArray } from '../../data/transforms/index.js';
import { classColor, drawBoxesPng, imageToRgb, type DrawnBox } from '../../explain/draw-boxes.js';
import { overlayHeatmap } from '../../explain/overlay.js';
import type { AttentionModel } from '../../models/attention-model.js';
import type { CenterNet } from '../../models/centernet.js';
import { noGrad, tensor, tidy } from '../../tensor/index.js';
import type { DetectionEvaluation } from '../tasks/detection.js';
import { html, type SafeHtml } from './html.js';
import { colourBar, displayPng, imageTable, maxDisplayFor, type ImageRow } from './image-table.js';
import { tile, writeGrid } from './where-it-looked.js';

type PerClass = Record<string, { ap50: number; ap50_95: number; precision: number; recall: number; numGt: number }>;

const f3 = (v: unknown) => (typeof v === 'number' && Number.isFinite(v) ? v.toFixed(3) : '–');

function perClassTable(best: Record<string, unknown> | undefined): SafeHtml {
  const per = best?.per_class as PerClass | undefined;
  if (!per) return html``;
  const rows = Object.entries(per).map(
    ([name, c]) =>
      html`<tr>
        <td>${name}</td>
        <td>${c.numGt}</td>
        <td>${f3(c.ap50)}</td>
        <td>${f3(c.ap50_95)}</td>
        <td>${f3(c.precision)}</td>
        <td>${f3(c.recall)}</td>
      </tr>`,
  );
  return html`<table>
    <thead>
      <tr>
        <th>class</th>
        <th>true boxes</th>
        <th>AP@0.5</th>
        <th>AP@0.5:0.95</th>
        <th>precision</th>
        <th>recall</th>
      </tr>
    </thead>
    <tbody>
      ${rows}
      <tr>
        <td><b>mean</b></td>
        <td></td>
        <td><b>${f3(best?.map50)}</b></td>
        <td><b>${f3(best?.map50_95)}</b></td>
        <td>${f3(best?.precision)}</td>
        <td>${f3(best?.recall)}</td>
      </tr>
    </tbody>
  </table>`;
}

async function rawRgb(png: Buffer): Promise<Uint8Array> {
  return new Uint8Array(await sharp(png).removeAlpha().raw().toBuffer());
}

export async function detectionSection(
  outDir: string,
  evaluation: DetectionEvaluation,
  classNames: string[],
  model: AttentionModel,
  best?: Record<string, unknown>,
  scoreThreshold = 0.3,
): Promise<SafeHtml> {
  const detector = model as unknown as CenterNet;
  detector.eval();
  const rows: ImageRow[] = [];
  const gridRows: Buffer[][] = [];
  let columns: string[] = [];
  for (const [i, e] of evaluation.examples.entries()) {
    const [, h, w] = e.shape;
    const { dets, heat, maps } = tidy(() =>
      noGrad(() => {
        const x = tensor(e.image, { shape: [1, ...e.shape] });
        const { output, attention } = detector.forwardWithAttention(x);
        const heatmap = detector.splitHeads(output).heatmap.sigmoid().max(1);
        const spatial = [...attention].filter(([k]) => k.endsWith('.spatial'));
        return {
          dets: detector.decode(output, { scoreThreshold, iouThreshold: 0.5 })[0],
          heat: { data: heatmap.toFloat32Array(), shape: [1, ...heatmap.shape.slice(1)] },
          maps: spatial.map(([k, v]) => ({ name: k.replace(/\.spatial$/, ''), data: v.toFloat32Array() })),
        };
      }),
    );
    const rgb = imageToRgb(e.image, e.shape);
    const grey = Float32Array.from({ length: h * w }, (_, p) => (rgb[p * 3] + rgb[p * 3 + 1] + rgb[p * 3 + 2]) / 765);
    const boxes: DrawnBox[] = [
      ...e.gt.boxes.map((b) => ({ box: b, label: '', color: '#FFFFFF', dashed: true })),
      ...dets.map((d) => ({
        box: d.box,
        label: `${classNames[d.classId] ?? d.classId} ${d.score.toFixed(2)}`,
        color: classColor(d.classId),
      })),
    ];
    const drawn = await rawRgb(await drawBoxesPng(rgb, w, h, boxes));
    const heatUp = resizeArray(heat.data, heat.shape, [h, w], 'linear', false);
    const pictures = [
      drawn,
      overlayHeatmap(grey, heatUp, 0.6, [0, 1]),
      ...maps.map((m) => overlayHeatmap(grey, m.data)),
    ];
    columns = ['true (dashed) and predicted boxes', 'centre heat map', ...maps.map((m) => m.name)];
    const maxDisplay = maxDisplayFor(pictures.length);
    const cells = [];
    for (const p of pictures) cells.push(await displayPng(p, w, h, { maxDisplay }));
    const tiles = [];
    for (const p of pictures) tiles.push(await tile(p, w, h));
    gridRows.push(tiles);
    const counts = classNames.map(
      (name, k) =>
        `${name} ${dets.filter((d) => d.classId === k).length}/${e.gt.classes.filter((c) => c === k).length}`,
    );
    rows.push({
      caption: html`<b>validation image ${i + 1}</b><br />predicted/true: ${counts.join(', ')}`,
      cells,
    });
  }
  if (gridRows.length) await writeGrid(join(outDir, 'detection.png'), gridRows);
  const legend = classNames.map((n, k) => html`<span style="color:${classColor(k)}">■</span> ${n}`);
  return html`<h2 id="detection">Detection</h2>
    <p>
      COCO box metrics on the validation set at the best epoch (101-point interpolated precision, IoU 0.50:0.95, at most
      100 detections per image and class); precision and recall count detections scoring at least ${scoreThreshold} at
      IoU 0.5.
    </p>
    ${perClassTable(best)}
    ${
      rows.length
        ? html`<p>
              Validation images with the best checkpoint: predicted boxes scoring ≥ ${scoreThreshold} (${legend}) over
              the true boxes (dashed white), the predicted centre heat map, and the spatial attention maps of the
              backbone.
            </p>
            ${colourBar('low', 'high', 'heat map 0..1; attention maps each scaled to their own range')}
            ${imageTable(columns, rows, { captionTitle: 'image' })}`
        : html``
    }`;
}
