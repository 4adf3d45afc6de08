// Truncated and byte-flipped copies of real files (written to the OS temp dir) must give one-line
// MedattnDataErrors naming the file and the reason, and never crash or hang: the reads run in a child
// process with a time limit. Sources: Debian's pydicom/nibabel/mricron files, npz/PNG/TIFF/GIF fixtures the
// test writes (always), and the real data sets of ../shared/data (when there).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { writeDriveLike, writeIsbiLike } from '../../fixtures/synthetic-pairs.js';
import { writeSyntheticPneumoniamnist } from '../../fixtures/synthetic-xrays.js';
import { dataPath, hasData, needsData } from '../../helpers/shared-data.js';

const here = dirname(fileURLToPath(import.meta.url));
const repoRoot = resolve(here, '../../..');
const PYD = '/usr/lib/python3/dist-packages/pydicom/data/test_files';
const NIB = '/usr/lib/python3/dist-packages/nibabel/tests/data';
const dir = mkdtempSync(join(tmpdir(), 'medattn-corrupt-'));

interface Case {
  path: string;
  /** The reason our error must state. */
  reason: RegExp;
  /** The ../shared/data path its source file needs: without it the case is skipped (a failure under CI=true). */
  needs?: string[];
}

/** Cases made from a file of ../shared/data: made only when it is there, else one placeholder that skips. */
function fromSharedData(parts: string[], make: (source: string) => Case[]): Case[] {
  if (!hasData(...parts)) return [{ path: join(dir, `${parts.join('-')}-absent`), reason: /./, needs: parts }];
  return make(dataPath(...parts)).map((c) => ({ ...c, needs: parts }));
}

// Fixtures with the real files' formats: a MedMNIST-layout npz (deflated), a noisy gray PNG, an RGB TIFF and
// palette GIF masks at DRIVE's size.
const fixtures = join(dir, 'fixtures');
const fixtureNpz = writeSyntheticPneumoniamnist(fixtures, { train: 200, val: 60 }).file;
const fixturePng = join(writeIsbiLike(join(fixtures, 'isbi'), 1, 256).image, '0.png');
const fixtureDrive = writeDriveLike(join(fixtures, 'drive'), [21], 584, 565);

function truncate(src: string, name: string, fraction: number, reason: RegExp): Case {
  const bytes = readFileSync(src);
  const path = join(dir, name);
  writeFileSync(path, bytes.subarray(0, Math.floor(bytes.length * fraction)));
  return { path, reason };
}

/** Inverts `count` bytes starting at `at` (negative: from the end; a Buffer: where that byte pattern starts). */
function flip(src: string, name: string, at: number | Buffer, count: number, reason: RegExp): Case {
  const bytes = Buffer.from(readFileSync(src));
  const start = typeof at !== 'number' ? bytes.indexOf(at) : at < 0 ? bytes.length + at : at;
  assert.ok(start >= 0, `${name}: pattern not found`);
  for (let i = start; i < start + count; i++) bytes[i] ^= 0xff;
  const path = join(dir, name);
  writeFileSync(path, bytes);
  return { path, reason };
}

const cases: Case[] = [
  // DICOM, each encoding: cut inside the pixel data.
  truncate(`${PYD}/MR_small.dcm`, 'native-cut.dcm', 0.7, /truncated|buffer overrun/),
  truncate(`${PYD}/MR_small_bigendian.dcm`, 'bigendian-cut.dcm', 0.7, /truncated|buffer overrun/),
  truncate(`${PYD}/CT_small.dcm`, 'header-cut.dcm', 0.05, /cannot parse DICOM data set/),
  truncate(`${PYD}/image_dfl.dcm`, 'deflate-cut.dcm', 0.5, /cannot parse DICOM data set|truncated/),
  truncate(`${PYD}/MR_small_RLE.dcm`, 'rle-cut.dcm', 0.7, /truncated|buffer overrun|Sequence Delimitation/),
  truncate(`${PYD}/SC_rgb_jpeg_dcmtk.dcm`, 'jpeg-cut.dcm', 0.8, /truncated|buffer overrun|Sequence Delimitation/),
  truncate(`${PYD}/JPGExtended.dcm`, 'jpeg12-cut.dcm', 0.8, /truncated|buffer overrun|Sequence Delimitation/),
  truncate(`${PYD}/SC_rgb_jpeg_gdcm.dcm`, 'lossless-cut.dcm', 0.8, /truncated|buffer overrun|Sequence Delimitation/),
  truncate(
    `${PYD}/MR_small_jpeg_ls_lossless.dcm`,
    'jpegls-cut.dcm',
    0.8,
    /truncated|buffer overrun|Sequence Delimitation/,
  ),
  truncate(`${PYD}/JPEG2000.dcm`, 'j2k-cut.dcm', 0.95, /truncated|buffer overrun|Sequence Delimitation/),
  // DICOM, structure byte-flipped: preamble/DICM, meta group, first data set elements.
  flip(`${PYD}/CT_small.dcm`, 'dicm-flipped.dcm', 128, 4, /not a DICOM file/),
  flip(`${PYD}/CT_small.dcm`, 'meta-flipped.dcm', 140, 12, /cannot parse DICOM data set|Transfer Syntax/),
  flip(
    `${PYD}/MR_small.dcm`,
    'elements-flipped.dcm',
    400,
    16,
    /cannot parse DICOM data set|missing or invalid|truncated/,
  ),
  // Codestream headers flipped: codecs must reject them.
  flip(`${PYD}/SC_rgb_jpeg_dcmtk.dcm`, 'jpeg-sof-flipped.dcm', Buffer.from([0xff, 0xc0]), 12, /cannot decode frame 0/),
  flip(`${PYD}/JPGExtended.dcm`, 'jpeg12-sof-flipped.dcm', Buffer.from([0xff, 0xc1]), 12, /cannot decode frame 0/),
  flip(
    `${PYD}/MR_small_jpeg_ls_lossless.dcm`,
    'jpegls-sof-flipped.dcm',
    Buffer.from([0xff, 0xf7]),
    12,
    /cannot decode frame 0/,
  ),
  flip(
    `${PYD}/JPEG2000.dcm`,
    'j2k-siz-flipped.dcm',
    Buffer.from([0xff, 0x51]),
    12,
    /cannot decode frame 0|codestream is/,
  ),
  flip(
    `${PYD}/SC_rgb_jpeg_gdcm.dcm`,
    'lossless-sof-flipped.dcm',
    Buffer.from([0xff, 0xc3]),
    12,
    /cannot decode frame 0/,
  ),
  // NIfTI
  truncate('/usr/share/mricron/templates/aal.nii.gz', 'aal-cut.nii.gz', 0.5, /corrupted gzip stream/),
  flip('/usr/share/mricron/templates/aal.nii.gz', 'aal-flipped.nii.gz', 5000, 8, /corrupted gzip stream/),
  truncate(`${NIB}/anatomical.nii`, 'anatomical-cut.nii', 0.5, /voxel data truncated/),
  flip(`${NIB}/anatomical.nii`, 'anatomical-hdr-flipped.nii', 0, 4, /unrecognised file format|not a NIfTI file/),
  flip(`${NIB}/anatomical.nii`, 'anatomical-magic-flipped.nii', 344, 4, /bad NIfTI-1 magic/),
  // NumPy and raster images: fixtures written above.
  truncate(fixtureNpz, 'fixture-cut.npz', 0.5, /end of central directory not found/),
  flip(fixtureNpz, 'fixture-flipped.npz', 100000, 64, /deflate data corrupted|CRC-32 mismatch/),
  flip(fixtureNpz, 'fixture-cd-flipped.npz', -120, 8, /corrupted zip|local header|unsupported compression|CRC|deflate/),
  truncate(fixturePng, 'fixture-cut.png', 0.5, /cannot decode image/),
  flip(fixturePng, 'fixture-flipped.png', 20000, 16, /cannot decode image/),
  truncate(join(fixtureDrive.images, '21_training.tif'), 'fixture-cut.tif', 0.5, /cannot decode image/),
  truncate(join(fixtureDrive.masks, '21_manual1.gif'), 'fixture-cut.gif', 0.5, /cannot decode image/),
  // NumPy and raster images: the real files of ../shared/data.
  ...fromSharedData(['pneumoniamnist', 'pneumoniamnist.npz'], (npz) => [
    truncate(npz, 'mnist-cut.npz', 0.5, /end of central directory not found/),
    flip(npz, 'mnist-flipped.npz', 100000, 64, /deflate data corrupted|CRC-32 mismatch/),
    flip(npz, 'mnist-cd-flipped.npz', -120, 8, /corrupted zip|local header|unsupported compression|CRC|deflate/),
  ]),
  ...fromSharedData(['isbi2012-em', 'image', '0.png'], (png) => [
    truncate(png, 'em-cut.png', 0.5, /cannot decode image/),
    flip(png, 'em-flipped.png', 20000, 16, /cannot decode image/),
  ]),
  ...fromSharedData(['drive', 'training', 'images', '21_training.tif'], (tif) => [
    truncate(tif, 'fundus-cut.tif', 0.5, /cannot decode image/),
  ]),
  ...fromSharedData(['drive', 'training', '1st_manual', '21_manual1.gif'], (gif) => [
    truncate(gif, 'vessels-cut.gif', 0.5, /cannot decode image/),
  ]),
];

const readable = cases.filter((c) => !c.needs || hasData(...c.needs));
const run = spawnSync(
  process.execPath,
  ['--import', 'tsx', join(here, 'fixtures', 'read-corrupted.ts'), JSON.stringify(readable.map((c) => c.path))],
  {
    encoding: 'utf8',
    timeout: 60_000,
    cwd: repoRoot,
  },
);
const lines = run.stdout
  .split('\n')
  .filter(Boolean)
  .map((l) => JSON.parse(l));
const results = new Map(lines.filter((l) => l.file).map((l) => [l.file as string, l]));

test('the corrupted reads finish (no hang, no crash)', () => {
  const started = lines.filter((l) => l.start).map((l) => l.start as string);
  const hung = started.find((s) => !results.has(s));
  assert.equal(hung, undefined, `reading ${hung} did not finish (signal ${run.signal}, status ${run.status})`);
  assert.equal(run.status, 0, run.stderr);
  assert.equal(results.size, readable.length);
});

for (const c of cases) {
  test(
    `${c.path.split('/').pop()}: one-line error naming the file and the reason`,
    c.needs ? needsData(...c.needs) : {},
    () => {
      const r = results.get(c.path);
      assert.ok(r, 'no result');
      assert.equal(r.ok, false, `read succeeded with shape ${JSON.stringify(r.shape)}`);
      assert.equal(r.name, 'MedattnDataError', r.message);
      assert.ok(r.message.startsWith(`${c.path}: `), r.message);
      assert.ok(!r.message.includes('\n'), r.message);
      assert.match(r.message, c.reason);
    },
  );
}
