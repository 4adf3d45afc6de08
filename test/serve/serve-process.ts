// Test helpers for the service: train and export a run through the CLI, and start `medattn serve` as a real
// process on 127.0.0.1 (port 0: the OS picks a free one), reading the address from its start-up line.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

export function medattn(...args: string[]) {
  const r = spawnSync(process.execPath, ['bin/medattn.js', ...args], {
    encoding: 'utf8',
    env: { ...process.env, MEDATTN_THREADS: '2' },
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** Trains `config` into `<dir>/<name>` and exports it to ONNX; returns the run folder. */
export function trainAndExport(dir: string, name: string, config: object): string {
  const file = join(dir, `${name}.json`);
  writeFileSync(file, JSON.stringify(config));
  const run = join(dir, name);
  const trained = medattn('train', '--config', file, '--out', run);
  if (trained.code !== 0) throw new Error(`train failed: ${trained.stderr}`);
  const exported = medattn('export', '--run', run);
  if (exported.code !== 0) throw new Error(`export failed: ${exported.stderr}`);
  return run;
}

export interface RunningService {
  url: string;
  proc: ChildProcess;
  /** Everything the process wrote to stdout (its JSON-lines log) so far. */
  stdout: () => string;
  /** Resolves with the exit code. */
  exited: Promise<number | null>;
  stop: () => Promise<number | null>;
}

export async function startServe(args: string[]): Promise<RunningService> {
  const proc = spawn(process.execPath, ['bin/medattn.js', 'serve', '--port', '0', ...args], {
    env: { ...process.env, MEDATTN_THREADS: '2' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  proc.stdout!.on('data', (d) => (out += d));
  const exited = new Promise<number | null>((done) => proc.on('exit', (code) => done(code)));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`serve did not start in 60 s: ${err}`)), 60_000);
    proc.stderr!.on('data', (d) => {
      err += d;
      const m = /medattn serve: (https?:\/\/[^ ]+?)\/ serving/.exec(err);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]);
      }
    });
    void exited.then((code) => reject(new Error(`serve exited with ${code}: ${err}`)));
  });
  return {
    url,
    proc,
    stdout: () => out,
    exited,
    stop: async () => {
      if (proc.exitCode === null) proc.kill('SIGTERM');
      return exited;
    },
  };
}
