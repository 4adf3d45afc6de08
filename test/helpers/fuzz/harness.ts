// The reader fuzz harness: seeded mutations of real files (mutations.ts, seeds.ts) read in a child process
// (read-child.ts) under a time limit, a V8 heap limit and an RSS watch. One child reads many inputs in turn
// (tsx start-up costs ~1.5 s) and is restarted after a crash or hang, which is charged to the input in flight.
// Outcomes: ok, user error (a one-line MedattnDataError naming the file), crash (any other exception, a
// signal, exit 134 from a heap out-of-memory, RSS past the limit) and hang (no answer within the time limit).
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createInterface } from 'node:readline';
import { mutate, Random, type SeedFormat } from './mutations.js';
import type { Seed } from './seeds.js';
import type { ChildAnswer } from './read-child.js';

const here = dirname(fileURLToPath(import.meta.url));
export const REPO_ROOT = resolve(here, '../../..');

export type Outcome = 'ok' | 'user error' | 'crash' | 'hang';
export const OUTCOMES: Outcome[] = ['ok', 'user error', 'crash', 'hang'];

export interface FuzzCase {
  id: number;
  seed: Seed;
  /** The mutated file. */
  path: string;
  mutation: string;
}

export interface FuzzResult extends FuzzCase {
  outcome: Outcome;
  detail: string;
  ms: number;
  /** Highest resident set size seen while this input was read (sampled), MiB. */
  peakRssMb: number;
}

export interface FuzzLimits {
  /** Per input (default 10 s). */
  timeoutMs?: number;
  /** V8 old-space limit of the child (default 768 MiB): past it V8 aborts (exit 134). */
  heapMb?: number;
  /** Resident set size past which the child is killed (default 1536 MiB): typed arrays live outside the V8 heap. */
  rssMb?: number;
}

/** Formats are drawn with these weights (DICOM, whose decoders are the most varied, twice as often). */
const FORMAT_WEIGHT: Record<SeedFormat, number> = {
  dicom: 4,
  nifti: 2,
  npy: 1,
  npz: 1,
  png: 1,
  tiff: 1,
  gif: 1,
  jpeg: 1,
};

/** `count` seeded mutations of `seeds`, written to `dir`; the same seed and seed files give the same files. */
export function makeCases(seeds: Seed[], count: number, seed: number, dir: string): FuzzCase[] {
  const r = new Random(seed);
  const byFormat = new Map<SeedFormat, Seed[]>();
  for (const s of seeds) byFormat.set(s.format, [...(byFormat.get(s.format) ?? []), s]);
  const formats = [...byFormat.keys()].flatMap((f) => Array<SeedFormat>(FORMAT_WEIGHT[f]).fill(f));
  const bytes = new Map<string, Uint8Array>();
  const cases: FuzzCase[] = [];
  for (let id = 0; id < count; id++) {
    const s = r.pick(byFormat.get(r.pick(formats))!);
    // A plain Uint8Array copy: Buffer#slice returns a view, and a mutation must never write into the seed.
    if (!bytes.has(s.path)) bytes.set(s.path, new Uint8Array(readFileSync(s.path)));
    const m = mutate(bytes.get(s.path)!, s.format, r);
    const path = join(dir, `${String(id).padStart(5, '0')}-${basename(s.path)}`);
    writeFileSync(path, m.bytes);
    cases.push({ id, seed: s, path, mutation: m.description });
  }
  return cases;
}

/** Reads every case in child processes; `onResult` sees each result as it comes (progress, saving crashers). */
export async function runCases(
  cases: FuzzCase[],
  limits: FuzzLimits = {},
  onResult?: (r: FuzzResult) => void,
): Promise<FuzzResult[]> {
  const timeoutMs = limits.timeoutMs ?? 10_000;
  const heapMb = limits.heapMb ?? 768;
  const rssMb = limits.rssMb ?? 1536;
  const results: FuzzResult[] = [];
  let next = 0;
  while (next < cases.length) {
    // One child for as many inputs as it survives; the loop restarts it after a crash or hang.
    next = await new Promise<number>((done) => {
      const child = spawn(
        process.execPath,
        [`--max-old-space-size=${heapMb}`, '--import', 'tsx', join(here, 'read-child.ts')],
        { cwd: REPO_ROOT, stdio: ['pipe', 'pipe', 'pipe'] },
      );
      let stderr = '';
      child.stderr!.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-4000)));
      let current: FuzzCase | undefined;
      let started = 0;
      let peak = 0;
      let timer: NodeJS.Timeout | undefined;
      let finished = false;
      const record = (outcome: Outcome, detail: string) => {
        const r = { ...current!, outcome, detail, ms: Date.now() - started, peakRssMb: peak };
        results.push(r);
        onResult?.(r);
        current = undefined;
      };
      const stop = (after: number) => {
        if (finished) return;
        finished = true;
        clearTimeout(timer);
        clearInterval(watch);
        child.kill('SIGKILL');
        done(after);
      };
      const send = (i: number) => {
        if (i >= cases.length) {
          finished = true;
          clearTimeout(timer);
          clearInterval(watch);
          child.stdin!.end();
          child.once('exit', () => done(i));
          return;
        }
        current = cases[i];
        started = Date.now();
        peak = 0;
        clearTimeout(timer);
        timer = setTimeout(() => {
          record('hang', `no answer within ${timeoutMs} ms`);
          stop(i + 1);
        }, timeoutMs);
        child.stdin!.write(JSON.stringify({ id: i, path: cases[i].path }) + '\n');
      };
      const watch = setInterval(() => {
        const rss = residentMb(child);
        if (current && rss > peak) peak = rss;
        if (current && rss > rssMb) {
          const i = cases.indexOf(current);
          record('crash', `resident memory ${rss} MiB passed the ${rssMb} MiB limit`);
          stop(i + 1);
        }
      }, 50);
      createInterface({ input: child.stdout! }).on('line', (line) => {
        if (finished) return;
        const answer = JSON.parse(line) as ChildAnswer | { ready: true };
        if ('ready' in answer) return send(next); // start-up (tsx, imports) is not charged to an input
        if (!current) return;
        const i = answer.id;
        // Sampled once more at the answer, so an input read faster than the watch's period is still measured.
        const rss = residentMb(child);
        if (rss > peak) peak = rss;
        if (rss > rssMb) {
          record('crash', `resident memory ${rss} MiB passed the ${rssMb} MiB limit`);
          return stop(i + 1);
        }
        record(answer.outcome, answer.detail);
        send(i + 1);
      });
      child.on('exit', (code, signal) => {
        if (finished) return;
        if (current) {
          const i = cases.indexOf(current);
          const last = stderr.trim().split('\n').slice(-3).join(' | ');
          record('crash', `child exited (${signal ?? `code ${code}`}): ${last}`);
          stop(i + 1);
        } else {
          process.stderr.write(stderr);
          stop(-1); // died between inputs or at start-up: a broken harness, not a finding
        }
      });
    });
    if (next < 0) throw new Error('the fuzz child process exited without reading an input (its stderr is above)');
  }
  return results;
}

function residentMb(child: ChildProcess): number {
  try {
    const status = readFileSync(`/proc/${child.pid}/status`, 'utf8');
    const kb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
    return Math.round(kb / 1024);
  } catch {
    return 0;
  }
}

/** Counts by format and outcome, as a fixed-width table. */
export function summaryTable(results: FuzzResult[]): string {
  const formats = [...new Set(results.map((r) => r.seed.format))].sort();
  const header = ['format', ...OUTCOMES, 'total'];
  const rows = formats.map((f) => {
    const mine = results.filter((r) => r.seed.format === f);
    return [f, ...OUTCOMES.map((o) => String(mine.filter((r) => r.outcome === o).length)), String(mine.length)];
  });
  rows.push([
    'all',
    ...OUTCOMES.map((o) => String(results.filter((r) => r.outcome === o).length)),
    String(results.length),
  ]);
  const widths = header.map((h, c) => Math.max(h.length, ...rows.map((row) => row[c].length)));
  const line = (cells: string[]) =>
    cells.map((cell, c) => (c === 0 ? cell.padEnd(widths[c]) : cell.padStart(widths[c]))).join('  ');
  return [line(header), ...rows.map(line)].join('\n');
}
