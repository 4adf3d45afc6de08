// Test helpers for the service: train and export a run (in this process, with the functions `medattn train` and
// `medattn export` run: each CLI start costs seconds of module loading), run the CLI, and start `medattn serve`
// as a real process on 127.0.0.1 (port 0: the OS picks a free one), reading the address from its start-up line.
import { spawn, type ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { exportRun } from '../../src/export/index.js';
import { parseConfig } from '../../src/train/config.js';
import { train } from '../../src/train/trainer.js';
import { asyncCliRunner, cliRunner } from '../helpers/cli.js';

export const medattn = cliRunner({ threads: 2 });

/** The CLI as a child process, without blocking this one (tests start it beside in-process work). */
export const medattnAsync = asyncCliRunner({ threads: 2 });

/**
 * Trains `config` into `<dir>/<name>` and exports it to ONNX, in this process with what `medattn train` (its
 * config parsing, the trainer: checkpoint, config.json, metrics.json) and `medattn export` run; returns the folder.
 */
export async function trainAndExport(dir: string, name: string, config: object): Promise<string> {
  const file = join(dir, `${name}.json`);
  writeFileSync(file, JSON.stringify(config));
  const run = join(dir, name);
  await train(parseConfig(config, file), { outDir: run, configFile: file });
  await exportRun(run);
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
