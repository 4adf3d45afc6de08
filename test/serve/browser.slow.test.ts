// The page at / in Debian's chromium (playwright-core, no browser download) against `medattn serve` with two runs
// trained and exported here on real data: an attention CNN (CBAM) on PneumoniaMNIST and an Attention U-Net on
// DRIVE. For a real PneumoniaMNIST validation image and a real DRIVE image (its TIFF converted losslessly to PNG,
// which browsers decode), the page shows the server's diagnosis text, its overlay canvas is coloured where the
// attention map is high and plain grey where it is lowest, and "run in this browser" (onnxruntime-web) gives the
// server's probabilities within 1e-4. In this browser the page reads files with medattn's own readers: a real
// DICOM (pydicom's CT_small, a CT in Hounsfield units whose header names a patient; MR_small for its stored
// window), a real NIfTI volume (nibabel's anatomical.nii, gzip-compressed) and the DRIVE TIFF itself, gives the
// server's answers, starts at the DICOM file's window, never shows the patient's name, and its slice slider shows
// and classifies another slice as the server does with ?slice=N. Screenshots go to $MEDATTN_SCREENSHOTS
// (default a temp folder).
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { gzipSync } from 'node:zlib';
import { chromium, type Browser, type Page } from 'playwright-core';
import sharp from 'sharp';
import { readImage, readNpz } from '../../src/data/io/index.js';
import { bccdDetectorFixture } from '../helpers/bccd-detector.js';
import { pneumoniaSubsets } from '../helpers/pneumonia-subset.js';
import { dataPath, needsData } from '../helpers/shared-data.js';
import { medattnAsync, startServe, trainAndExport, type RunningService } from './serve-process.js';

const options = {
  ...needsData('pneumoniamnist', 'pneumoniamnist.npz'),
  ...needsData('drive', 'training'),
  ...needsData('bccd', 'JPEGImages'),
};
const dir = mkdtempSync(join(tmpdir(), 'medattn-browser-'));
const shots = process.env.MEDATTN_SCREENSHOTS ?? join(dir, 'screenshots');
let service: RunningService | undefined;
let browser: Browser | undefined;
let token = '';
const files = { chest: '', retina: '', retinaTiff: '', ct: '', mr: '', brain: '', smear: '' };
const PYDICOM = '/usr/lib/python3/dist-packages/pydicom/data/test_files';
const NIBABEL = '/usr/lib/python3/dist-packages/nibabel/tests/data';

after(async () => {
  await browser?.close();
  await service?.stop();
  rmSync(dir, { recursive: true, force: true });
});

function pneumoniaConfig() {
  return {
    name: 'browser test pneumonia',
    task: 'classification',
    data: pneumoniaSubsets(600, 200),
    transforms: {
      train: [
        { type: 'toFloat', scale: 1 / 255 },
        { type: 'randFlip', axes: [1] },
      ],
      eval: [{ type: 'toFloat', scale: 1 / 255 }],
    },
    model: {
      name: 'attention_cnn',
      config: {
        inChannels: 1,
        numClasses: 2,
        stages: [
          { channels: 8, attention: 'cbam' },
          { channels: 8, attention: 'se' },
        ],
        reduction: 4,
      },
    },
    optimizer: { name: 'adamw', lr: 0.003 },
    training: { epochs: 3, batchSize: 32, workers: 0, seed: 3 },
    report: { samples: 1 },
  };
}

function driveConfig() {
  const root = dataPath('drive', 'training');
  const pairs = (ids: string[]) => ({
    kind: 'pairs',
    images: join(root, 'images'),
    masks: join(root, '1st_manual'),
    roi: join(root, 'mask'),
    ids,
  });
  const evalTransforms = [
    { type: 'toFloat', scale: 1 / 255 },
    { type: 'normalizeIntensity', mean: 0.5, std: 0.25 },
  ];
  return {
    name: 'browser test drive',
    task: 'segmentation',
    data: { train: { kind: 'subset', of: pairs(['21', '22', '23']), repeat: 4 }, val: pairs(['36']), roiKey: 'roi' },
    transforms: {
      train: [{ type: 'randCrop', size: [96, 96], masks: ['mask', 'roi'] }, ...evalTransforms],
      eval: evalTransforms,
    },
    model: { name: 'attention_unet', config: { inChannels: 3, numClasses: 1, features: [8, 16, 32] } },
    loss: { name: 'dice_bce' },
    optimizer: { name: 'adamw', lr: 0.01 },
    training: { epochs: 3, batchSize: 4, workers: 0, seed: 0, padMultiple: 8, monitor: 'pooled_auroc' },
    report: { samples: 1 },
  };
}

async function apiPredict(name: string, file: string, query = '') {
  const form = new FormData();
  form.append('file', new Blob([new Uint8Array(readFileSync(file))]), 'x.png');
  const r = await fetch(`${service!.url}/v1/models/${name}/predict?maps=1${query}`, {
    method: 'POST',
    body: form,
    headers: { authorization: `Bearer ${token}` },
  });
  assert.equal(r.status, 200);
  return (await r.json()) as any;
}

async function greyPng(dataUrl: string): Promise<Uint8Array> {
  return new Uint8Array(
    await sharp(Buffer.from(dataUrl.split(',')[1], 'base64'))
      .extractChannel(0)
      .raw()
      .toBuffer(),
  );
}

/** Uploads through the page and returns the new result card's text, probabilities and canvas pixels (RGBA). */
async function upload(page: Page, model: string, file: string, engine: 'server' | 'browser') {
  await page.selectOption('#model', model);
  await page.setChecked('#local', engine === 'browser');
  const before = await page.locator(`.result[data-engine="${engine}"]`).count();
  await page.setInputFiles('#files', file);
  const card = page.locator(`.result[data-engine="${engine}"]`).nth(before);
  await card.waitFor({ timeout: 60_000 });
  return card.evaluate((el) => {
    const canvas = el.querySelector('canvas.overlay') as HTMLCanvasElement;
    const px = canvas.getContext('2d')!.getImageData(0, 0, canvas.width, canvas.height).data;
    return {
      diagnosis: el.querySelector('.diagnosis')!.textContent!,
      probabilities: el.getAttribute('data-probabilities'),
      slice: Number(el.getAttribute('data-slice')),
      slices: Number(el.getAttribute('data-slices')),
      window: [
        Number((el.querySelector('input.window-center') as HTMLInputElement).value),
        Number((el.querySelector('input.window-width') as HTMLInputElement).value),
      ],
      text: el.textContent!,
      width: canvas.width,
      height: canvas.height,
      pixels: Array.from(px),
    };
  });
}

/** The canvas is coloured at the map's peak and plain grey where the map is 0. */
function checkOverlay(pixels: number[], map: Uint8Array) {
  let hi = 0;
  let lo = 0;
  for (let i = 0; i < map.length; i++) {
    if (map[i] > map[hi]) hi = i;
    if (map[i] < map[lo]) lo = i;
  }
  const rgb = (i: number) => pixels.slice(4 * i, 4 * i + 3);
  const [r, g, b] = rgb(hi);
  assert.ok(Math.max(Math.abs(r - g), Math.abs(r - b), Math.abs(g - b)) > 40, `grey at the map's peak: ${rgb(hi)}`);
  const [r0, g0, b0] = rgb(lo);
  assert.ok(r0 === g0 && g0 === b0, `coloured where the map is lowest: ${rgb(lo)}`);
}

describe('the page in chromium', options, () => {
  let page!: Page;

  before(async () => {
    mkdirSync(shots, { recursive: true });
    const made = medattnAsync('token', 'new', '--token-file', join(dir, 'tokens'));
    const chest = await trainAndExport(dir, 'pneumonia', pneumoniaConfig());
    const retina = await trainAndExport(dir, 'drive', driveConfig());
    const bccd = bccdDetectorFixture(dir);
    const cells = await trainAndExport(dir, 'bccd', bccd.config);
    files.smear = bccd.valImages[0];
    token = (await made).stdout.trim();
    service = await startServe([
      '--run',
      chest,
      '--run',
      retina,
      '--run',
      cells,
      '--token-file',
      join(dir, 'tokens'),
      '--no-log',
    ]);
    const npz = await readNpz(dataPath('pneumoniamnist', 'pneumoniamnist.npz'), {
      keys: ['val_images', 'val_labels'],
    } as never);
    const images = npz.get('val_images')!.data as Uint8Array;
    const labels = npz.get('val_labels')!.data as Uint8Array;
    const index = labels.indexOf(1); // a pneumonia case
    files.chest = join(dir, `pneumonia_val_${index}.png`);
    await sharp(Buffer.from(images.subarray(index * 784, (index + 1) * 784)), {
      raw: { width: 28, height: 28, channels: 1 },
    })
      .toColourspace('b-w')
      .png()
      .toFile(files.chest);
    files.retinaTiff = dataPath('drive', 'training', 'images', '36_training.tif');
    files.retina = join(dir, '36_training.png');
    await sharp(files.retinaTiff).png().toFile(files.retina);
    files.ct = join(PYDICOM, 'CT_small.dcm');
    files.mr = join(PYDICOM, 'MR_small.dcm');
    files.brain = join(dir, 'anatomical.nii.gz');
    writeFileSync(files.brain, gzipSync(readFileSync(join(NIBABEL, 'anatomical.nii'))));
    browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox'] });
    page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    page.on('pageerror', (e) => console.log('page error:', e.message));
    await page.goto(service.url);
    await page.fill('#token', token);
    await page.dispatchEvent('#token', 'change');
    await page.waitForFunction(() => document.querySelectorAll('#model option').length === 3);
  });

  test('PneumoniaMNIST: diagnosis text, overlay where the map is high, in-browser probabilities = server (1e-4)', async () => {
    const api = await apiPredict('pneumonia', files.chest);
    const server = await upload(page, 'pneumonia', files.chest, 'server');
    assert.equal(server.diagnosis, `${api.label} (p = ${api.probabilities[api.label].toFixed(3)})`);
    assert.deepEqual([server.width, server.height], [28, 28]);
    checkOverlay(server.pixels, await greyPng(api.maps.attention[0].map));
    await page.screenshot({ path: join(shots, 'pneumonia-server.png'), fullPage: true });

    const local = await upload(page, 'pneumonia', files.chest, 'browser');
    const p = JSON.parse(local.probabilities!) as Record<string, number>;
    for (const [k, v] of Object.entries(api.probabilities as Record<string, number>))
      assert.ok(Math.abs(p[k] - v) <= 1e-4, `${k}: browser ${p[k]} vs server ${v}`);
    assert.equal(local.diagnosis, server.diagnosis);
    await page.screenshot({ path: join(shots, 'pneumonia-browser.png'), fullPage: true });
    console.log(`pneumonia: server ${JSON.stringify(api.probabilities)}, browser ${local.probabilities}`);
  });

  test('DRIVE: mask summary text, attention overlay, in-browser mask = server', async () => {
    const api = await apiPredict('drive', files.retina);
    const server = await upload(page, 'drive', files.retina, 'server');
    assert.equal(
      server.diagnosis,
      `mask covers ${(100 * api.segmentation.foregroundFraction).toFixed(2)}% of the image`,
    );
    assert.deepEqual([server.width, server.height], [565, 584]);
    checkOverlay(server.pixels, await greyPng(api.maps.attention[0].map));
    await page.screenshot({ path: join(shots, 'drive-server.png'), fullPage: true });
    // in this browser from the TIFF itself (medattn's TIFF reader; the server reads it with libvips)
    const tiffApi = await apiPredict('drive', files.retinaTiff);
    assert.equal(tiffApi.segmentation.foregroundFraction, api.segmentation.foregroundFraction);
    const local = await upload(page, 'drive', files.retinaTiff, 'browser');
    assert.equal(local.diagnosis, server.diagnosis);
    assert.deepEqual([local.width, local.height], [565, 584]);
    await page.screenshot({ path: join(shots, 'drive-browser.png'), fullPage: true });
  });

  test('BCCD detector: the boxes the server finds, counted in the text and drawn in class colours; in-browser boxes = server', async () => {
    const api = await apiPredict('bccd', files.smear, '&score=0.3');
    const boxes = api.detections as { class: string; score: number; box: number[] }[];
    assert.ok(boxes.length > 0, 'the detector finds cells at score 0.3');
    const counts = new Map<string, number>();
    for (const b of boxes) counts.set(b.class, (counts.get(b.class) ?? 0) + 1);
    const diagnosis = `${boxes.length} found: ${[...counts].map(([c, n]) => `${n} ${c}`).join(', ')}`;
    const server = await upload(page, 'bccd', files.smear, 'server');
    assert.equal(server.diagnosis, diagnosis);
    assert.deepEqual([server.width, server.height], [104, 80]);
    // the first box's top edge, in the view's pixels, is drawn in its class's colour (not grey)
    const [x1, y1, x2] = boxes[0].box;
    const sx = 104 / api.image.sourceWidth;
    const sy = 80 / api.image.sourceHeight;
    const y = Math.round(y1 * sy);
    const x = Math.round(((x1 + x2) / 2) * sx);
    const colourful = [y - 1, y, y + 1].some((row) => {
      const [r, g, b] = server.pixels.slice(4 * (row * 104 + x), 4 * (row * 104 + x) + 3);
      return Math.max(Math.abs(r - g), Math.abs(g - b), Math.abs(r - b)) > 60;
    });
    assert.ok(colourful, `no box colour at the first box's top edge (${x}, ${y})`);
    await page.screenshot({ path: join(shots, 'bccd-server.png'), fullPage: true });
    const local = await upload(page, 'bccd', files.smear, 'browser');
    assert.equal(local.diagnosis, server.diagnosis);
    await page.screenshot({ path: join(shots, 'bccd-browser.png'), fullPage: true });
  });

  test("in this browser: DICOM and NIfTI read by medattn's readers give the server's probabilities (1e-4); DICOM window; slice slider", async () => {
    const close = (got: string | null, want: Record<string, number>, what: string) => {
      const p = JSON.parse(got!) as Record<string, number>;
      for (const [k, v] of Object.entries(want))
        assert.ok(Math.abs(p[k] - v) <= 1e-4, `${what} ${k}: browser ${p[k]} vs server ${v}`);
    };
    // CT in Hounsfield units (rescale intercept -1024), no stored window: the window spans the image's values
    const ct = await upload(page, 'pneumonia', files.ct, 'browser');
    const ctApi = await apiPredict('pneumonia', files.ct);
    close(ct.probabilities, ctApi.probabilities, 'CT_small.dcm');
    assert.equal(ct.diagnosis, `${ctApi.label} (p = ${ctApi.probabilities[ctApi.label].toFixed(3)})`);
    const hu = (await readImage(files.ct)).data;
    const [lo, hi] = [Math.min(...hu), Math.max(...hu)];
    assert.ok(lo < -800, `CT_small in Hounsfield units: lowest ${lo}`);
    assert.ok(Math.abs(ct.window[0] - (lo + hi + 1) / 2) <= 1, `CT window level ${ct.window[0]}, HU ${lo}..${hi}`);
    assert.equal(ct.window[1], hi - lo + 1);
    // MR_small stores Window Center 600 / Width 1600: the page starts there
    const mr = await upload(page, 'pneumonia', files.mr, 'browser');
    close(mr.probabilities, (await apiPredict('pneumonia', files.mr)).probabilities, 'MR_small.dcm');
    assert.deepEqual(mr.window, [600, 1600]);
    // a volume: 25 slices along its first axis, the middle one first, as the server takes it
    const brain = await upload(page, 'pneumonia', files.brain, 'browser');
    const brainApi = await apiPredict('pneumonia', files.brain);
    assert.deepEqual([brain.slices, brain.slice], [brainApi.image.slices, brainApi.image.slice]);
    assert.deepEqual([brain.slices, brain.slice], [25, 12]);
    close(brain.probabilities, brainApi.probabilities, 'anatomical.nii.gz slice 12');
    await page.screenshot({ path: join(shots, 'dicom-nifti-browser.png'), fullPage: true });
    // move the slice slider: the card shows slice 3, computed here, equal to the server's ?slice=3
    const cards = page.locator('.result[data-engine="browser"]');
    const index = (await cards.count()) - 1;
    await cards
      .nth(index)
      .locator('input.slice')
      .evaluate((el: HTMLInputElement) => {
        el.value = '3';
        el.dispatchEvent(new Event('input'));
        el.dispatchEvent(new Event('change'));
      });
    const moved = page.locator('.result[data-engine="browser"][data-slice="3"]');
    await moved.waitFor({ timeout: 60_000 });
    const slice3 = await moved.evaluate((el) => ({
      probabilities: el.getAttribute('data-probabilities'),
      pixels: Array.from(
        (el.querySelector('canvas.overlay') as HTMLCanvasElement).getContext('2d')!.getImageData(0, 0, 28, 28).data,
      ),
    }));
    close(slice3.probabilities, (await apiPredict('pneumonia', files.brain, '&slice=3')).probabilities, 'slice 3');
    const changed = slice3.pixels.filter((v, i) => v !== brain.pixels[i]).length;
    assert.ok(changed > 100, `the canvas hardly changed with the slice (${changed} values)`);
    await page.screenshot({ path: join(shots, 'nifti-slice-3.png'), fullPage: true });
    // no patient identifiers from the DICOM headers anywhere on the page
    const text = await page.locator('body').innerText();
    for (const phi of ['CompressedSamples', '1CT1', '4MR1']) assert.ok(!text.includes(phi), `page shows ${phi}`);
    console.log(`CT_small: server ${JSON.stringify(ctApi.probabilities)}, browser ${ct.probabilities}`);
  });
});
