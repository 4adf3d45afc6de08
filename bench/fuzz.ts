// Fuzzes the readers with thousands of seeded mutations of real files and prints outcome counts by format.
//   node --import tsx bench/fuzz.ts [--count 2000] [--seed 1] [--timeout 10] [--no-shared]
//                                   [--predict 8 --run DIR]   (also feed a few DICOM header mutations to `medattn predict`)
// Every input that crashed or hung is copied to bench/out/fuzz-seed<N>/ with findings.json (seed file, mutation,
// what happened), so `npx medattn inspect bench/out/fuzz-seed1/00042-CT_small.dcm` reproduces it.
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { findSeeds } from '../test/helpers/fuzz/seeds.js';
import {
  makeCases,
  REPO_ROOT,
  runCases,
  summaryTable,
  type FuzzCase,
  type FuzzResult,
} from '../test/helpers/fuzz/harness.js';

function option(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 && i + 1 < process.argv.length ? process.argv[i + 1] : fallback;
}

const count = Number(option('count', '2000'));
const seed = Number(option('seed', '1'));
const timeoutMs = Number(option('timeout', '10')) * 1000;
const predictCount = Number(option('predict', '0'));
const run = option('run', '');
const seeds = findSeeds({ shared: !process.argv.includes('--no-shared') });
const work = mkdtempSync(join(tmpdir(), 'medattn-fuzz-'));
const out = join(REPO_ROOT, 'bench', 'out', `fuzz-seed${seed}`);

console.log(
  `${seeds.length} seed files (${[...new Set(seeds.map((s) => s.format))].join(', ')}), ${count} mutations, seed ${seed}`,
);
const cases = makeCases(seeds, count, seed, work);
const findings: FuzzResult[] = [];
const t0 = Date.now();
const results = await runCases(cases, { timeoutMs }, (r) => {
  if (r.outcome === 'crash' || r.outcome === 'hang') {
    findings.push(r);
    mkdirSync(out, { recursive: true });
    copyFileSync(r.path, join(out, basename(r.path)));
    console.log(`${r.outcome}: ${basename(r.path)} [${r.mutation}] ${r.detail.slice(0, 300)}`);
  }
  if ((r.id + 1) % 250 === 0) console.log(`${r.id + 1}/${count} read (${((Date.now() - t0) / 1000).toFixed(0)} s)`);
});
console.log(`\n${summaryTable(results)}\n`);
const slowest = [...results].sort((a, b) => b.ms - a.ms)[0];
const hungriest = [...results].sort((a, b) => b.peakRssMb - a.peakRssMb)[0];
console.log(`slowest input ${slowest.ms} ms (${basename(slowest.path)}: ${slowest.mutation})`);
console.log(`largest resident memory ${hungriest.peakRssMb} MiB (${basename(hungriest.path)}: ${hungriest.mutation})`);
console.log(`${((Date.now() - t0) / 1000).toFixed(0)} s in all`);

if (predictCount > 0) {
  // `medattn predict` starts libtorch per call (seconds), so only a few: DICOM header mutations, the class of
  // input that once aborted predict with a heap out-of-memory.
  if (!run) throw new Error('--predict needs --run DIR (a trained run folder, e.g. from `medattn train`)');
  const picked = cases
    .filter((c) => c.seed.format === 'dicom' && c.mutation.startsWith('headerInt'))
    .slice(0, predictCount);
  console.log(`\nmedattn predict --run ${run} on ${picked.length} DICOM header mutations:`);
  for (const c of picked) {
    const r = predict(run, c, timeoutMs + 20_000);
    console.log(`${r.outcome.padEnd(10)} ${basename(c.path)} [${c.mutation}] ${r.detail}`);
    if (r.outcome === 'crash' || r.outcome === 'hang') {
      findings.push({ ...c, ...r, ms: 0, peakRssMb: 0 });
      mkdirSync(out, { recursive: true });
      copyFileSync(c.path, join(out, basename(c.path)));
    }
  }
}

if (findings.length) {
  const list = findings.map((f) => ({
    file: basename(f.path),
    seed: f.seed.path,
    mutation: f.mutation,
    outcome: f.outcome,
    detail: f.detail,
  }));
  writeFileSync(join(out, 'findings.json'), JSON.stringify(list, null, 2) + '\n');
  console.log(`\n${findings.length} crashing or hanging inputs saved to ${out}`);
}
rmSync(work, { recursive: true, force: true });
process.exitCode = findings.length ? 1 : 0;

/** Exit 0 ok, exit 1 with one line on stderr a user error, anything else a crash; past the limit a hang. */
function predict(runDir: string, c: FuzzCase, timeout: number): { outcome: FuzzResult['outcome']; detail: string } {
  const r = spawnSync(process.execPath, ['bin/medattn.js', 'predict', '--run', runDir, c.path], {
    cwd: REPO_ROOT,
    encoding: 'utf8',
    timeout,
    env: { ...process.env, MEDATTN_THREADS: '1' },
  });
  const stderr = r.stderr.trim();
  if (r.error && (r.error as NodeJS.ErrnoException).code === 'ETIMEDOUT')
    return { outcome: 'hang', detail: `no exit within ${timeout} ms` };
  if (r.status === 0) return { outcome: 'ok', detail: '' };
  if (r.status === 1 && stderr.length > 0 && !stderr.includes('\n')) return { outcome: 'user error', detail: stderr };
  return { outcome: 'crash', detail: `exit ${r.status ?? r.signal}: ${stderr.split('\n').slice(0, 3).join(' | ')}` };
}
