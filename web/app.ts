/**
 * The page at `/`: drop images, see the diagnosis and where the model looked. Each image goes to
 * POST /v1/models/{name}/predict?maps=1, or, with "run in this browser", through the same exported model in
 * onnxruntime-web (WebAssembly, served by this service), prepared by the same code the server uses
 * (src/serve/model-input.ts), so the image never leaves the machine and the numbers agree.
 */
import * as ort from 'onnxruntime-web/wasm';
import type { MedicalImage } from '../src/data/medical-image.js';
import { turbo } from '../src/explain/overlay.js';
import type { ModelInfo } from '../src/serve/model-info.js';
import { cropPlane, decide, prepareInput } from '../src/serve/model-input.js';

ort.env.wasm.wasmPaths = '/assets/ort/';
ort.env.wasm.numThreads = 1;

interface ModelDescription {
  name: string;
  task: 'classification' | 'segmentation';
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

/** What a result card draws: the image (grey, 0-1), maps (0-1), the mask, all h x w. */
interface View {
  file: File;
  engine: 'server' | 'browser';
  h: number;
  w: number;
  base: Float32Array;
  layers: Array<{ name: string; map: Float32Array }>;
  mask?: Float32Array;
  diagnosis: string;
  details: string;
  probabilities?: Record<string, number>;
  slices: number;
  slice: number;
}

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
const modelSelect = $<HTMLSelectElement>('model');
const tokenInput = $<HTMLInputElement>('token');
const localSwitch = $<HTMLInputElement>('local');
const opacity = $<HTMLInputElement>('opacity');
const cmap = $<HTMLSelectElement>('cmap');
const level = $<HTMLInputElement>('level');
const width = $<HTMLInputElement>('width');
const results = $<HTMLDivElement>('results');
const note = $<HTMLDivElement>('note');

let models: ModelDescription[] = [];
const sessions = new Map<string, Promise<ort.InferenceSession>>();
const cards: Array<{ view: View; canvas: HTMLCanvasElement; layer: () => string }> = [];

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
    m.task === 'classification'
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

/** Image (window/level on its grey levels) with the chosen map blended in proportion to its value, and the mask. */
function render(card: (typeof cards)[number]) {
  const { view, canvas } = card;
  const ctx = canvas.getContext('2d')!;
  const img = ctx.createImageData(view.w, view.h);
  const alpha = Number(opacity.value) / 100;
  const lo = Number(level.value) / 255 - Number(width.value) / 510;
  const span = Number(width.value) / 255;
  const layerName = card.layer();
  const layer = view.layers.find((l) => l.name === layerName);
  for (let i = 0; i < view.w * view.h; i++) {
    const g = 255 * Math.min(1, Math.max(0, (view.base[i] - lo) / span));
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
}
const renderAll = () => {
  drawLegend();
  cards.forEach(render);
};
for (const el of [opacity, cmap, level, width]) el.addEventListener('input', renderAll);

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
  image: { height: number; width: number; slices: number; slice: number };
  maps: { image: string; attention: Array<{ name: string; map: string }>; mask?: string };
  error?: string;
}

async function viaServer(file: File, model: ModelDescription, slice?: number): Promise<View> {
  const form = new FormData();
  form.append('file', file);
  const query = `maps=1${slice === undefined ? '' : `&slice=${slice}`}`;
  const r = await fetch(`/v1/models/${encodeURIComponent(model.name)}/predict?${query}`, {
    method: 'POST',
    body: form,
    headers: authHeaders(),
  });
  const answer = (await r.json()) as PredictAnswer;
  if (!r.ok) throw new Error(answer.error ?? `HTTP ${r.status}`);
  const base = await pngToGrey(answer.maps.image);
  const layers = [];
  for (const a of answer.maps.attention) layers.push({ name: a.name, map: (await pngToGrey(a.map)).data });
  return {
    file,
    engine: 'server',
    h: base.h,
    w: base.w,
    base: base.data,
    layers,
    mask: answer.maps.mask ? (await pngToGrey(answer.maps.mask)).data : undefined,
    ...summary(model, answer.probabilities, answer.label, answer.segmentation?.foregroundFraction),
    slices: answer.image.slices,
    slice: answer.image.slice,
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
async function decodeInBrowser(file: File): Promise<MedicalImage> {
  let bitmap: ImageBitmap;
  try {
    // no colour management or premultiplication: the pixel values the file holds, as the server reads them
    bitmap = await createImageBitmap(file, { colorSpaceConversion: 'none', premultiplyAlpha: 'none' });
  } catch {
    throw new Error('in-browser mode reads PNG, JPEG, GIF and WebP; send DICOM, NIfTI and TIFF to the server');
  }
  const c = new OffscreenCanvas(bitmap.width, bitmap.height);
  const ctx = c.getContext('2d')!;
  ctx.drawImage(bitmap, 0, 0);
  const px = ctx.getImageData(0, 0, bitmap.width, bitmap.height).data;
  const n = bitmap.width * bitmap.height;
  let grey = true;
  for (let i = 0; i < n && grey; i++) grey = px[4 * i] === px[4 * i + 1] && px[4 * i] === px[4 * i + 2];
  const channels = grey ? 1 : 3;
  const data = new Uint8Array(channels * n);
  for (let k = 0; k < channels; k++) for (let i = 0; i < n; i++) data[k * n + i] = px[4 * i + k];
  return { data, shape: [channels, bitmap.height, bitmap.width] };
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

async function inBrowser(file: File, model: ModelDescription): Promise<View> {
  const info = infoOf(model);
  const input = prepareInput(await decodeInBrowser(file), info);
  const s = await session(model);
  const out = await s.run({ [s.inputNames[0]]: new ort.Tensor('float32', input.data, input.shape) });
  const [h, w] = input.size;
  const layers = Object.entries(out)
    .filter(([name, t]) => name.startsWith('attention/') && t.dims.length === 4)
    .map(([name, t]) => ({
      name: name.replace(/^attention\//, ''),
      map: minMax(cropPlane(t.data as Float32Array, t.dims.slice(-2) as number[], [h, w])),
    }));
  const common = { file, engine: 'browser' as const, h, w, base: minMax(input.display), layers, slices: 1, slice: 0 };
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
function showCard(view: View, model: ModelDescription, old?: HTMLElement) {
  const card = document.createElement('div');
  card.className = 'result';
  card.dataset.engine = view.engine;
  card.dataset.file = view.file.name;
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
  if (view.slices > 1) {
    const slider = document.createElement('input');
    slider.type = 'range';
    slider.className = 'slice';
    slider.min = '0';
    slider.max = String(view.slices - 1);
    slider.value = String(view.slice);
    slider.addEventListener('change', () => void predict(view.file, model, Number(slider.value), card));
    row.append(` slice ${view.slice + 1}/${view.slices} `, slider);
  }
  card.append(title, diagnosis, details, engine, canvas, row);
  const entry = { view, canvas, layer: () => layerSelect.value };
  layerSelect.addEventListener('change', () => render(entry));
  cards.push(entry);
  if (old) {
    cards.splice(
      cards.findIndex((c) => c.canvas.parentElement === old),
      1,
    );
    old.replaceWith(card);
  } else results.append(card);
  render(entry);
}

async function predict(file: File, model: ModelDescription, slice?: number, old?: HTMLElement) {
  try {
    const view = localSwitch.checked ? await inBrowser(file, model) : await viaServer(file, model, slice);
    showCard(view, model, old);
  } catch (e) {
    const card = document.createElement('div');
    card.className = 'result';
    card.dataset.file = file.name;
    const title = document.createElement('h2');
    title.textContent = file.name;
    const error = document.createElement('div');
    error.className = 'error';
    error.textContent = (e as Error).message;
    card.append(title, error);
    results.append(card);
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
