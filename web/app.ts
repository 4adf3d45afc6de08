/**
 * The page at `/`: drop images, see the diagnosis and where the model looked. Each image goes to
 * POST /v1/models/{name}/predict?maps=1, or, with "run in this browser", through the same exported model in
 * onnxruntime-web (WebAssembly, served by this service), decoded by medattn's own readers and prepared by the
 * same code the server runs (src/serve/upload-decoder.ts, src/serve/model-input.ts), so the image never leaves
 * the machine and the numbers agree. Nothing from a file's headers is shown but its display window.
 */
import * as ort from 'onnxruntime-web/wasm';
import { applyWindow, type Window } from '../src/data/io/dicom/window.js';
import type { MedicalImage } from '../src/data/medical-image.js';
import { Resize } from '../src/data/transforms/resize.js';
import { classColor } from '../src/explain/class-colors.js';
import { turbo } from '../src/explain/overlay.js';
import { centerNetHeadsOf, decodeCenterNet, inFilePixels } from '../src/models/centernet-decode.js';
import type { ModelInfo } from '../src/serve/model-info.js';
import { cropPlane, decide, prepareInput } from '../src/serve/model-input.js';
import { decodeUploadVolume, takeSlice, type DecodedVolume } from '../src/serve/upload-decoder.js';
import { browserCodecs } from './browser-codecs.js';

ort.env.wasm.wasmPaths = '/assets/ort/';
ort.env.wasm.numThreads = 1;

interface ModelDescription {
  name: string;
  task: 'classification' | 'segmentation' | 'detection';
  network: string;
  inputChannels: number;
  inputSize: number[] | null;
  classNames: string[];
  threshold: number;
  thresholdSource: string;
  padMultiple: number;
  normalization: ModelInfo['normalization'];
  attentionMaps: string[];
  validation: { monitor?: string; bestEpoch?: number; metrics: Record<string, number> } | null;
  medattnVersion: string;
  onnxBytes: number;
}

/**
 * What a result card draws, all h x w: the image's first channel in its own values (in this browser: what the
 * file holds after rescale slope/intercept, Hounsfield units for CT; from the server: grey levels 0-255), the
 * attention maps (0-1) and the mask.
 */
interface View {
  file: File;
  engine: 'server' | 'browser';
  h: number;
  w: number;
  base: Float32Array;
  /** Lowest and highest value of the image (of every slice of a volume): the window sliders' bounds. */
  range: [number, number];
  /** The window shown first: the DICOM file's Window Center/Width, else the whole range. */
  window: Window;
  layers: Array<{ name: string; map: Float32Array }>;
  mask?: Float32Array;
  /** A detector's boxes in the view's pixels, drawn over the image. */
  boxes?: DetectedBox[];
  diagnosis: string;
  details: string;
  probabilities?: Record<string, number>;
  slices: number;
  slice: number;
  /** In this browser: the decoded upload, so moving the slice slider decodes nothing again. */
  volume?: DecodedVolume;
}

interface DetectedBox {
  class: string;
  score: number;
  box: [number, number, number, number];
}

/** The score a detector's boxes must reach, as `medattn predict` and the service default. */
const DETECTION_SCORE = 0.3;

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
const modelSelect = $<HTMLSelectElement>('model');
const tokenInput = $<HTMLInputElement>('token');
const localSwitch = $<HTMLInputElement>('local');
const opacity = $<HTMLInputElement>('opacity');
const cmap = $<HTMLSelectElement>('cmap');
const results = $<HTMLDivElement>('results');
const note = $<HTMLDivElement>('note');

let models: ModelDescription[] = [];
const sessions = new Map<string, Promise<ort.InferenceSession>>();
interface Card {
  view: View;
  /** The model's classes, for a detector's box colours. */
  classNames: string[];
  canvas: HTMLCanvasElement;
  layer: () => string;
  window: () => Window;
}
const cards: Card[] = [];

tokenInput.value = sessionStorage.getItem('medattn.token') ?? '';
tokenInput.addEventListener('change', () => {
  sessionStorage.setItem('medattn.token', tokenInput.value);
  void loadModels();
});

function authHeaders(): Record<string, string> {
  return tokenInput.value ? { authorization: `Bearer ${tokenInput.value}` } : {};
}

const current = () => models.find((m) => m.name === modelSelect.value);

function infoOf(m: ModelDescription): ModelInfo {
  return {
    task: m.task,
    model: m.network,
    inputChannels: m.inputChannels,
    inputSize: m.inputSize ?? undefined,
    normalization: m.normalization,
    classNames: m.classNames,
    threshold: m.threshold,
    thresholdSource: m.thresholdSource,
    padMultiple: m.padMultiple,
    version: m.medattnVersion,
  };
}

function describe(m: ModelDescription): string {
  const v = m.validation;
  const shown = ['auroc', 'accuracy', 'f1', 'dice', 'iou', 'pooled_auroc', 'sensitivity', 'specificity', 'n'];
  const figures = v
    ? Object.entries(v.metrics)
        .filter(([k]) => shown.includes(k))
        .map(([k, x]) => `${k} ${Number.isInteger(x) ? x : x.toFixed(3)}`)
        .join(', ')
    : '';
  const what =
    m.task === 'detection'
      ? `finds ${m.classNames.join(' / ')} (boxes scoring at least ${DETECTION_SCORE})`
      : m.task === 'classification'
        ? `classifies ${m.inputSize ? m.inputSize.join('x') + ' ' : ''}images into ${m.classNames.join(' / ')}; decision threshold ${m.threshold.toFixed(3)} (${m.thresholdSource === 'training' ? 'chosen on validation data' : 'default'})`
        : 'segments each pixel (mask at probability 0.5)';
  const validated = v
    ? ` Validated on the run's held-out validation split${v.bestEpoch !== undefined ? ` (best epoch ${v.bestEpoch + 1}` : ''}${v.monitor ? `, selected by ${v.monitor})` : ')'}: ${figures}.`
    : ' No validation figures in the run.';
  return `${m.name}: ${m.network} with attention (${m.attentionMaps.length ? m.attentionMaps.join(', ') : 'no maps'}), ${what}.${validated} Research software, not a medical device: a clinician decides.`;
}

async function loadModels(): Promise<void> {
  const r = await fetch('/v1/models', { headers: authHeaders() });
  if (!r.ok) {
    note.textContent = r.status === 401 ? 'Enter a token to use the service.' : `Cannot list models (${r.status}).`;
    return;
  }
  models = ((await r.json()) as { models: ModelDescription[] }).models;
  modelSelect.replaceChildren(...models.map((m) => new Option(m.name, m.name)));
  showNote();
}
function showNote() {
  const m = current();
  note.textContent = m ? describe(m) : 'No model.';
}
modelSelect.addEventListener('change', showNote);

// --- colours -------------------------------------------------------------------------------------------
function hot(t: number): [number, number, number] {
  const c = (v: number) => Math.round(255 * Math.min(1, Math.max(0, v)));
  return [c(3 * t), c(3 * t - 1), c(3 * t - 2)];
}
const colour = (t: number) => (cmap.value === 'hot' ? hot(t) : turbo(t));
function drawLegend() {
  const legend = $<HTMLCanvasElement>('legend');
  const ctx = legend.getContext('2d')!;
  for (let x = 0; x < legend.width; x++) {
    const [r, g, b] = colour(x / (legend.width - 1));
    ctx.fillStyle = `rgb(${r},${g},${b})`;
    ctx.fillRect(x, 0, 1, legend.height);
  }
}

/** Image (windowed: DICOM's linear VOI function on its own values) with the chosen map blended in, or the mask. */
function render(card: Card) {
  const { view, canvas } = card;
  const ctx = canvas.getContext('2d')!;
  const img = ctx.createImageData(view.w, view.h);
  const alpha = Number(opacity.value) / 100;
  const grey = applyWindow({ data: view.base, shape: [1, view.h, view.w] }, card.window()).data;
  const layerName = card.layer();
  const layer = view.layers.find((l) => l.name === layerName);
  for (let i = 0; i < view.w * view.h; i++) {
    const g = 255 * grey[i];
    let [r, gg, b] = [g, g, g];
    if (layer) {
      const m = layer.map[i];
      const [cr, cg, cb] = colour(m);
      const a = alpha * m; // low attention stays the plain image
      r = a * cr + (1 - a) * r;
      gg = a * cg + (1 - a) * gg;
      b = a * cb + (1 - a) * b;
    } else if (layerName === 'mask' && view.mask && view.mask[i] >= 0.5) {
      r = alpha * 40 + (1 - alpha) * r;
      gg = alpha * 220 + (1 - alpha) * gg;
      b = alpha * 90 + (1 - alpha) * b;
    }
    img.data.set([r, gg, b, 255], 4 * i);
  }
  ctx.putImageData(img, 0, 0);
  drawBoxes(ctx, view.boxes ?? [], card.classNames);
}

/** Outlines each box in its class's colour (as `medattn predict` draws them), labelled with class and score. */
function drawBoxes(ctx: CanvasRenderingContext2D, boxes: DetectedBox[], classNames: string[]) {
  // sized to the image: the canvas is scaled to the card, a small model input would drown in 12 px text
  const side = Math.min(ctx.canvas.width, ctx.canvas.height);
  ctx.lineWidth = Math.max(1, Math.round(side / 150));
  ctx.font = `${Math.max(6, Math.round(side / 20))}px sans-serif`;
  for (const b of boxes) {
    const [x1, y1, x2, y2] = b.box;
    ctx.strokeStyle = ctx.fillStyle = classColor(Math.max(0, classNames.indexOf(b.class)));
    ctx.strokeRect(x1, y1, x2 - x1, y2 - y1);
    ctx.fillText(`${b.class} ${b.score.toFixed(2)}`, x1 + 1, Math.max(side / 20, y1 - 2));
  }
}
const renderAll = () => {
  drawLegend();
  cards.forEach(render);
};
for (const el of [opacity, cmap]) el.addEventListener('input', renderAll);

// --- server ----------------------------------------------------------------------------------------------
async function pngToGrey(dataUrl: string): Promise<{ data: Float32Array; w: number; h: number }> {
  // decoded here, not fetched: the page's CSP (connect-src 'self') rightly refuses data: URLs to fetch()
  const bytes = Uint8Array.from(atob(dataUrl.slice(dataUrl.indexOf(',') + 1)), (c) => c.charCodeAt(0));
  const bitmap = await createImageBitmap(new Blob([bytes], { type: 'image/png' }), {
    colorSpaceConversion: 'none',
  });
  const c = new OffscreenCanvas(bitmap.width, bitmap.height);
  const ctx = c.getContext('2d')!;
  ctx.drawImage(bitmap, 0, 0);
  const px = ctx.getImageData(0, 0, bitmap.width, bitmap.height).data;
  const data = new Float32Array(bitmap.width * bitmap.height);
  for (let i = 0; i < data.length; i++) data[i] = px[4 * i] / 255;
  return { data, w: bitmap.width, h: bitmap.height };
}

interface PredictAnswer {
  probabilities?: Record<string, number>;
  label?: string;
  segmentation?: { foregroundFraction: number };
  detections?: DetectedBox[];
  image: { height: number; width: number; sourceHeight: number; sourceWidth: number; slices: number; slice: number };
  maps: { image: string; attention: Array<{ name: string; map: string }>; mask?: string };
  error?: string;
}

async function viaServer(file: File, model: ModelDescription, slice?: number): Promise<View> {
  const form = new FormData();
  form.append('file', file);
  const query = `maps=1&score=${DETECTION_SCORE}${slice === undefined ? '' : `&slice=${slice}`}`;
  const r = await fetch(`/v1/models/${encodeURIComponent(model.name)}/predict?${query}`, {
    method: 'POST',
    body: form,
    headers: authHeaders(),
  });
  const answer = (await r.json()) as PredictAnswer;
  if (!r.ok) throw new Error(answer.error ?? `HTTP ${r.status}`);
  const base = await pngToGrey(answer.maps.image);
  base.data = base.data.map((v) => Math.round(255 * v));
  const layers = [];
  for (const a of answer.maps.attention) layers.push({ name: a.name, map: (await pngToGrey(a.map)).data });
  return {
    file,
    engine: 'server',
    h: base.h,
    w: base.w,
    base: base.data,
    range: [0, 255],
    window: { center: 128, width: 256 },
    layers,
    mask: answer.maps.mask ? (await pngToGrey(answer.maps.mask)).data : undefined,
    ...(answer.detections
      ? detectionSummary(
          // the answer's boxes are in the upload's pixels; the view is the model input's
          scaleBoxes(answer.detections, base.w / answer.image.sourceWidth, base.h / answer.image.sourceHeight),
        )
      : summary(model, answer.probabilities, answer.label, answer.segmentation?.foregroundFraction)),
    slices: answer.image.slices,
    slice: answer.image.slice,
  };
}

function scaleBoxes(boxes: DetectedBox[], sx: number, sy: number): DetectedBox[] {
  return boxes.map((b) => ({ ...b, box: [b.box[0] * sx, b.box[1] * sy, b.box[2] * sx, b.box[3] * sy] }));
}

/** A detector's result: the boxes, how many of each class, the best-scoring ones. */
function detectionSummary(boxes: DetectedBox[]) {
  const counts = new Map<string, number>();
  for (const b of boxes) counts.set(b.class, (counts.get(b.class) ?? 0) + 1);
  return {
    boxes,
    diagnosis: boxes.length
      ? `${boxes.length} found: ${[...counts].map(([c, n]) => `${n} ${c}`).join(', ')}`
      : `nothing found at score ${DETECTION_SCORE}`,
    details: boxes
      .slice(0, 5)
      .map((b) => `${b.class} ${b.score.toFixed(3)}`)
      .join(' · '),
  };
}

function summary(model: ModelDescription, probabilities?: Record<string, number>, label?: string, fg?: number) {
  if (probabilities && label !== undefined)
    return {
      diagnosis: `${label} (p = ${probabilities[label].toFixed(3)})`,
      details: Object.entries(probabilities)
        .map(([k, p]) => `${k} ${p.toFixed(4)}`)
        .join(' · '),
      probabilities,
    };
  return { diagnosis: `mask covers ${(100 * (fg ?? 0)).toFixed(2)}% of the image`, details: model.network };
}

// --- in this browser -------------------------------------------------------------------------------------
/** Well above any single image a page should hold; the server's own limit is --max-pixels. */
const BROWSER_LIMITS = { maxPixels: 200_000_000, timeoutMs: 120_000 };

/** Channel 0 of a [C, H, W] image at [h, w] (resized as the model input was, when it was). */
function firstChannel(image: MedicalImage, [h, w]: [number, number]): Float32Array {
  const [, ih, iw] = image.shape;
  const plane: MedicalImage = { data: Float32Array.from(image.data.subarray(0, ih * iw)), shape: [1, ih, iw] };
  if (ih === h && iw === w) return plane.data as Float32Array;
  return (new Resize({ size: [h, w] }).apply({ image: plane }).image as MedicalImage).data as Float32Array;
}

function rangeOf(image: MedicalImage): [number, number] {
  const n = image.shape.slice(1).reduce((a, b) => a * b, 1); // channel 0, every slice
  let lo = Infinity;
  let hi = -Infinity;
  for (let i = 0; i < n; i++) {
    const v = image.data[i];
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  return [lo, hi];
}

function session(model: ModelDescription): Promise<ort.InferenceSession> {
  let s = sessions.get(model.name);
  if (!s) {
    s = fetch(`/v1/models/${encodeURIComponent(model.name)}/model.onnx`, { headers: authHeaders() }).then(async (r) => {
      if (!r.ok) throw new Error(`cannot fetch the model (HTTP ${r.status})`);
      return ort.InferenceSession.create(new Uint8Array(await r.arrayBuffer()), { executionProviders: ['wasm'] });
    });
    sessions.set(model.name, s);
    s.catch(() => sessions.delete(model.name));
  }
  return s;
}

function minMax(x: ArrayLike<number>): Float32Array {
  let lo = Infinity;
  let hi = -Infinity;
  for (let i = 0; i < x.length; i++) {
    lo = Math.min(lo, x[i]);
    hi = Math.max(hi, x[i]);
  }
  return Float32Array.from(x, (v) => (hi > lo ? (v - lo) / (hi - lo) : 0));
}

/**
 * Decodes the file here (once: a volume is kept for its other slices) and runs the model in onnxruntime-web;
 * `keepWindow` carries the window over when the slice changes.
 */
async function inBrowser(
  file: File,
  model: ModelDescription,
  slice?: number,
  volume?: DecodedVolume,
  keepWindow?: Window,
): Promise<View> {
  const info = infoOf(model);
  volume ??= await decodeUploadVolume(new Uint8Array(await file.arrayBuffer()), BROWSER_LIMITS, browserCodecs);
  const decoded = takeSlice(volume, slice);
  const input = prepareInput(decoded.image, info);
  const s = await session(model);
  const out = await s.run({ [s.inputNames[0]]: new ort.Tensor('float32', input.data, input.shape) });
  const [h, w] = input.size;
  const layers = Object.entries(out)
    .filter(([name, t]) => name.startsWith('attention/') && t.dims.length === 4)
    .map(([name, t]) => ({
      name: name.replace(/^attention\//, ''),
      map: minMax(cropPlane(t.data as Float32Array, t.dims.slice(-2) as number[], [h, w])),
    }));
  const range = rangeOf(volume.image);
  const common = {
    file,
    engine: 'browser' as const,
    h,
    w,
    base: firstChannel(decoded.image, [h, w]),
    range,
    window: keepWindow ?? volume.window ?? { center: (range[0] + range[1] + 1) / 2, width: range[1] - range[0] + 1 },
    layers,
    slices: decoded.slices,
    slice: decoded.slice,
    volume,
  };
  if (model.task === 'detection') {
    const heads = centerNetHeadsOf((name) => out[name]);
    const found = decodeCenterNet(heads, { scoreThreshold: DETECTION_SCORE, iouThreshold: 0.5 })[0];
    // boxes in the model input's pixels, which is this view's: the same numbers the server maps to the upload
    return { ...common, ...detectionSummary(inFilePixels(found, model.classNames, [h, w], [h, w])) };
  }
  if (model.task === 'classification') {
    const p = out.probabilities.data as Float32Array;
    const probabilities = Object.fromEntries(Array.from(p, (v, i) => [model.classNames[i] ?? String(i), v]));
    return { ...common, ...summary(model, probabilities, decide(p, info).label) };
  }
  const prob = out.probability;
  const mask = cropPlane(prob.data as Float32Array, prob.dims.slice(-2) as number[], [h, w]);
  const fg = mask.reduce((a, v) => a + (v >= 0.5 ? 1 : 0), 0) / mask.length;
  return { ...common, mask, ...summary(model, undefined, undefined, fg) };
}

// --- cards -----------------------------------------------------------------------------------------------
/** A labelled range input that shows its value. */
function slider(cls: string, label: string, min: number, max: number, value: number, step: number) {
  const input = document.createElement('input');
  input.type = 'range';
  input.className = cls;
  input.min = String(min);
  input.max = String(max);
  input.step = String(step);
  input.value = String(value);
  const text = document.createElement('span');
  text.className = 'value';
  const show = () => (text.textContent = Number(input.value).toFixed(step < 1 ? 2 : 0));
  input.addEventListener('input', show);
  show();
  const element = document.createElement('label');
  element.append(`${label} `, input, ' ', text);
  return { input, text, element };
}

function showCard(view: View, model: ModelDescription, old?: HTMLElement) {
  const card = document.createElement('div');
  card.className = 'result';
  card.dataset.engine = view.engine;
  card.dataset.file = view.file.name;
  card.dataset.model = model.name;
  card.dataset.slice = String(view.slice);
  card.dataset.slices = String(view.slices);
  if (view.probabilities) card.dataset.probabilities = JSON.stringify(view.probabilities);
  const title = document.createElement('h2');
  title.textContent = view.file.name;
  const diagnosis = document.createElement('div');
  diagnosis.className = 'diagnosis';
  diagnosis.textContent = view.diagnosis;
  const details = document.createElement('div');
  details.className = 'probs';
  details.textContent = view.details;
  const engine = document.createElement('div');
  engine.className = 'engine';
  engine.textContent =
    view.engine === 'browser' ? 'computed in this browser (onnxruntime-web)' : 'computed by the server';
  const canvas = document.createElement('canvas');
  canvas.className = 'overlay';
  canvas.width = view.w;
  canvas.height = view.h;
  const row = document.createElement('div');
  row.className = 'row';
  const layerSelect = document.createElement('select');
  layerSelect.className = 'layer';
  const names = [...view.layers.map((l) => l.name), ...(view.mask ? ['mask'] : []), 'image only'];
  layerSelect.replaceChildren(...names.map((n) => new Option(n, n)));
  row.append('Show ', layerSelect);
  // Window/level in the image's own values (Hounsfield units for CT): DICOM's Window Center/Width to start with.
  const [lo, hi] = view.range;
  const span = Math.max(hi - lo, 1e-6);
  const step = span > 50 ? 1 : span / 500;
  const centre = slider('window-center', 'window level', lo, hi, view.window.center, step);
  const width = slider('window-width', 'width', step, 2 * span + 1, view.window.width, step);
  const windowRow = document.createElement('div');
  windowRow.className = 'row';
  windowRow.title = "window on the file's own values (Hounsfield units for CT); DICOM's Window Center/Width first";
  windowRow.append(centre.element, width.element);
  const entry: Card = {
    view,
    classNames: model.classNames,
    canvas,
    layer: () => layerSelect.value,
    window: () => ({ center: Number(centre.input.value), width: Math.max(1, Number(width.input.value)) }),
  };
  const sliceRow = document.createElement('div');
  sliceRow.className = 'row';
  if (view.slices > 1) {
    const s = slider('slice', 'slice', 0, view.slices - 1, view.slice, 1);
    const show = () => (s.text.textContent = `${Number(s.input.value) + 1} / ${view.slices}`);
    s.input.addEventListener('input', show);
    show();
    s.input.addEventListener('change', () => {
      const n = Number(s.input.value);
      const keep = entry.window();
      void replaceCard(card, view.file, () =>
        view.volume ? inBrowser(view.file, model, n, view.volume, keep) : viaServer(view.file, model, n),
      );
    });
    sliceRow.append(s.element);
  }
  card.append(title, diagnosis, details, engine, canvas, row, sliceRow, windowRow);
  layerSelect.addEventListener('change', () => render(entry));
  for (const s of [centre.input, width.input]) s.addEventListener('input', () => render(entry));
  if (old) {
    const i = cards.findIndex((c) => c.canvas.parentElement === old);
    if (i >= 0) cards.splice(i, 1);
    old.replaceWith(card);
  } else results.append(card);
  cards.push(entry);
  render(entry);
}

function showError(file: File, e: unknown, old?: HTMLElement) {
  const card = document.createElement('div');
  card.className = 'result';
  card.dataset.file = file.name;
  const title = document.createElement('h2');
  title.textContent = file.name;
  const error = document.createElement('div');
  error.className = 'error';
  error.textContent = (e as Error).message;
  card.append(title, error);
  if (old) old.replaceWith(card);
  else results.append(card);
}

/** Replaces a card with a new view of the same file (another slice), or with the error. */
async function replaceCard(old: HTMLElement, file: File, make: () => Promise<View>) {
  try {
    const view = await make();
    showCard(view, models.find((m) => m.name === old.dataset.model) ?? current()!, old);
  } catch (e) {
    showError(file, e, old);
  }
}

async function predict(file: File, model: ModelDescription, slice?: number, old?: HTMLElement) {
  try {
    const view = localSwitch.checked ? await inBrowser(file, model, slice) : await viaServer(file, model, slice);
    showCard(view, model, old);
  } catch (e) {
    showError(file, e, old);
  }
}

async function handle(files: FileList | null) {
  const model = current();
  if (!model || !files) return;
  for (const file of Array.from(files)) await predict(file, model);
}

const drop = $<HTMLDivElement>('drop');
const picker = $<HTMLInputElement>('files');
drop.addEventListener('click', () => picker.click());
picker.addEventListener('change', () => {
  const chosen = picker.files;
  // cleared after reading, so choosing the same file again (e.g. after switching engines) is a change again
  void handle(chosen).finally(() => (picker.value = ''));
});
drop.addEventListener('dragover', (e) => {
  e.preventDefault();
  drop.classList.add('over');
});
drop.addEventListener('dragleave', () => drop.classList.remove('over'));
drop.addEventListener('drop', (e) => {
  e.preventDefault();
  drop.classList.remove('over');
  void handle(e.dataTransfer?.files ?? null);
});

drawLegend();
void loadModels();
