// The `medattn` CLI as a child process, the way a user starts it: one helper for every test that drives the
// command line, so each test states only what differs (working folder, threads, time limit).
import { spawn, spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export const MEDATTN_BIN = fileURLToPath(new URL('../../bin/medattn.js', import.meta.url));

export interface CliOptions {
  /** Working folder of the process (default: this one's). */
  cwd?: string;
  /** MEDATTN_THREADS for the process (default: this process's MEDATTN_THREADS, else 2). */
  threads?: number;
  /** Kill the process after this many milliseconds (spawnSync's `timeout`; default: none). */
  timeoutMs?: number;
  /** Extra environment variables. */
  env?: Record<string, string>;
}

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

function environment(options: CliOptions): NodeJS.ProcessEnv {
  const threads = options.threads !== undefined ? String(options.threads) : (process.env.MEDATTN_THREADS ?? '2');
  return { ...process.env, MEDATTN_THREADS: threads, ...options.env };
}

/** Runs `medattn ...args` to completion. */
export function runCli(args: string[], options: CliOptions = {}): CliResult {
  const r = spawnSync(process.execPath, [MEDATTN_BIN, ...args], {
    cwd: options.cwd,
    encoding: 'utf8',
    timeout: options.timeoutMs,
    env: environment(options),
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** Runs `medattn ...args` without blocking this process (for tests that serve or fetch in-process meanwhile). */
export function runCliAsync(args: string[], options: CliOptions = {}): Promise<CliResult> {
  const child = spawn(process.execPath, [MEDATTN_BIN, ...args], {
    cwd: options.cwd,
    env: environment(options),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d));
  child.stderr.on('data', (d: Buffer) => (stderr += d));
  return new Promise((done) => child.on('close', (code) => done({ code, stdout, stderr })));
}

/** `medattn(...args)` bound to fixed options, the shape most tests call. */
export const cliRunner =
  (options: CliOptions = {}) =>
  (...args: string[]): CliResult =>
    runCli(args, options);

/** The asynchronous `medattn(...args)` bound to fixed options. */
export const asyncCliRunner =
  (options: CliOptions = {}) =>
  (...args: string[]): Promise<CliResult> =>
    runCliAsync(args, options);
