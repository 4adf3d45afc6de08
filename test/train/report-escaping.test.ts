// report.html from a real (tiny) training run whose data and config carry markup: a class folder named
// `<img src=x onerror=alert(1)>`, a case file named `<svg onload=alert(2)>.png` and a config name with a
// <script>. The report must show them as text only, and chromium must build no element from them. The same
// run checks that the report numbers epochs from 1 everywhere: metrics.json's best epoch + 1.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import sharp from 'sharp';
import { EPOCH_DISPLAY_OFFSET } from '../../src/train/report/report.js';
import { runCli } from '../helpers/cli.js';

const HOSTILE_CLASS = '<img src=x onerror=alert(1)>';
const HOSTILE_FILE = '<svg onload=alert(2)>.png';
const HOSTILE_NAME = '<script>alert("config")</script> run';

/** A 28x28 grey PNG: bright or dark squares with seeded noise, so the two classes are learnable. */
async function writeImage(path: string, bright: boolean, seed: number): Promise<void> {
  let state = seed * 2654435761;
  const pixels = Buffer.alloc(28 * 28);
  for (let i = 0; i < pixels.length; i++) {
    state = (state * 1103515245 + 12345) >>> 0;
    pixels[i] = (bright ? 150 : 40) + (state % 60);
  }
  await sharp(pixels, { raw: { width: 28, height: 28, channels: 1 } })
    .png()
    .toFile(path);
}

const dir = mkdtempSync(join(tmpdir(), 'medattn-report-escaping-'));
const root = join(dir, 'data');
let seed = 1;
for (const [split, perClass] of [
  ['train', 12],
  ['val', 6],
] as const) {
  for (const cls of [HOSTILE_CLASS, 'normal']) {
    mkdirSync(join(root, split, cls), { recursive: true });
    for (let i = 0; i < perClass; i++) {
      const name = split === 'val' && cls === 'normal' && i === 0 ? HOSTILE_FILE : `${i}.png`;
      await writeImage(join(root, split, cls, name), cls === 'normal', seed++);
    }
  }
}
const config = {
  name: HOSTILE_NAME,
  task: 'classification',
  data: {
    train: { kind: 'folder', root, split: 'train', channels: 1 },
    val: { kind: 'folder', root, split: 'val', channels: 1 },
  },
  transforms: { train: [{ type: 'toFloat', scale: 1 / 255 }], eval: [{ type: 'toFloat', scale: 1 / 255 }] },
  model: {
    name: 'attention_cnn',
    config: {
      inChannels: 1,
      numClasses: 2,
      stages: [
        { channels: 4, attention: 'cbam' },
        { channels: 4, attention: 'nonlocal' },
      ],
      reduction: 2,
    },
  },
  optimizer: { name: 'adamw', lr: 0.01 },
  training: { epochs: 2, batchSize: 8, workers: 0, seed: 3 },
  // Every validation image, so the hostile file name is among the captions.
  report: { samples: 12 },
};
const configPath = join(dir, 'config.json');
writeFileSync(configPath, JSON.stringify(config));
const out = join(dir, 'run');
const trained = runCli(['train', '--config', configPath, '--out', out], { threads: 2 });

test('the tiny run trains and writes its report', () => {
  assert.equal(trained.code, 0, trained.stderr);
});

test('names from data and config appear in report.html as escaped text only', () => {
  const page = readFileSync(join(out, 'report.html'), 'utf8');
  assert.ok(!page.includes('<img src=x'), 'class folder name written as markup');
  assert.ok(!page.includes('<svg'), 'file name written as markup');
  assert.ok(!/<script/i.test(page), 'config name written as markup');
  assert.ok(page.includes('&lt;img src=x onerror=alert(1)&gt;'), 'class name shown as text');
  assert.ok(page.includes('&lt;svg onload=alert(2)&gt;.png'), 'case id shown as text');
  assert.ok(
    page.includes('<h1>&lt;script&gt;alert(&quot;config&quot;)&lt;/script&gt; run</h1>'),
    'config name shown as text',
  );
  assert.ok(page.includes('<title>&lt;script&gt;alert(&quot;config&quot;)&lt;/script&gt; run</title>'));
  // Every picture is embedded: the report is one file.
  for (const m of page.matchAll(/<img\b[^>]*?\ssrc="([^"]{0,30})/g)) assert.match(m[1], /^data:image\/png;base64,/);
});

test('epochs are numbered from 1 in the heading, the headline and the history table', () => {
  const metrics = JSON.parse(readFileSync(join(out, 'metrics.json'), 'utf8'));
  const page = readFileSync(join(out, 'report.html'), 'utf8');
  const shown = metrics.best_epoch + EPOCH_DISPLAY_OFFSET;
  assert.equal(EPOCH_DISPLAY_OFFSET, 1);
  assert.match(page, /Epochs are numbered from 1 in this report/);
  assert.match(page, new RegExp(`best epoch <b>${shown}</b>`));
  assert.match(page, new RegExp(`Best checkpoint: <b>epoch ${shown}</b> of 2`));
  assert.match(page, new RegExp(`<td class="num">${shown} \\(best\\)</td>`));
  const historyEpochs = [...page.matchAll(/<tr class="(?:best)?">\s*<td class="num">(\d+)/g)].map((m) => Number(m[1]));
  assert.deepEqual(historyEpochs, [1, 2]);
});

/** Debian's chromium, when installed (scripts/apt-packages.txt lists it; CI must have it). */
function chromium(): { skip: string | false } {
  const found = spawnSync('chromium', ['--version'], { encoding: 'utf8' }).status === 0;
  if (found) return { skip: false };
  if (process.env.CI === 'true') throw new Error('CI=true: chromium is not installed (scripts/apt-packages.txt)');
  return { skip: 'chromium is not installed' };
}

test('chromium renders the report without building an element from the hostile names', chromium(), () => {
  const r = spawnSync(
    'chromium',
    [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--no-first-run',
      `--user-data-dir=${join(dir, 'chromium-profile')}`,
      '--dump-dom',
      pathToFileURL(join(out, 'report.html')).href,
    ],
    { encoding: 'utf8', timeout: 120_000, maxBuffer: 64 * 1024 * 1024 },
  );
  assert.equal(r.status, 0, r.stderr);
  const dom = r.stdout;
  assert.match(dom, /<h1>&lt;script&gt;alert\("config"\)&lt;\/script&gt; run<\/h1>/, 'the heading as text');
  assert.ok(!/<script/i.test(dom), 'no script element');
  assert.ok(!/<svg/i.test(dom), 'no svg element');
  const images = [...dom.matchAll(/<img\b[^>]*>/g)].map((m) => m[0]);
  assert.ok(images.length >= 12, `${images.length} pictures`);
  for (const img of images) {
    assert.match(img, /\ssrc="data:image\/png;base64,/, 'only the embedded pictures');
    assert.ok(!/onerror|onload/i.test(img), img.slice(0, 80));
  }
  assert.ok(dom.includes('&lt;img src=x onerror=alert(1)&gt;'), 'the class name as text');
});
