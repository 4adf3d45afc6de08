// Shared by the fl process tests: a tiny data set and site configs, a self-signed server certificate, and
// `medattn fl server/client` as real child processes on 127.0.0.1 whose output a test can wait on.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeTinyMedmnist } from '../helpers/tiny-medmnist.js';

export const TOKENS = {
  site0: 'token-site0-0123456789',
  site1: 'token-site1-0123456789',
  site2: 'token-site2-0123456789',
};

export interface Proc {
  child: ChildProcess;
  output: () => string;
  exited: Promise<number | null>;
}

export function siteConfig(dir: string, indices: number[], stages: unknown[] = [{ channels: 4, attention: 'se' }]) {
  return {
    task: 'classification',
    data: {
      train: { kind: 'subset', of: { kind: 'medmnist', file: join(dir, 'tiny.npz'), split: 'train' }, indices },
      val: { kind: 'medmnist', file: join(dir, 'tiny.npz'), split: 'val' },
    },
    transforms: { train: [{ type: 'toFloat', scale: 1 / 255 }], eval: [{ type: 'toFloat', scale: 1 / 255 }] },
    model: { name: 'attention_cnn', config: { inChannels: 1, numClasses: 2, stages } },
    optimizer: { name: 'sgd', lr: 0.05 },
    training: { epochs: 1, batchSize: 16, workers: 0, seed: 1 },
    report: { samples: 0 },
  };
}

/** A temporary folder with tiny.npz (96 training, 32 validation images), certificates, tokens and configs. */
export function flFixture(prefix: string, stages?: unknown[]) {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  execFileSync('openssl', [
    'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes',
    '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem'), '-days', '1',
    '-subj', '/CN=localhost', '-addext', 'subjectAltName=IP:127.0.0.1',
  ], { stdio: 'ignore' }); // prettier-ignore
  writeTinyMedmnist(join(dir, 'tiny.npz'), { train: { n: 96 }, val: { n: 32 } }, 16);
  writeFileSync(join(dir, 'server.json'), JSON.stringify(siteConfig(dir, [...Array(96).keys()], stages)));
  for (let i = 0; i < 3; i++)
    writeFileSync(
      join(dir, `site${i}.json`),
      JSON.stringify(
        siteConfig(
          dir,
          [...Array(32).keys()].map((k) => k + 32 * i),
          stages,
        ),
      ),
    );
  writeFileSync(join(dir, 'tokens.json'), JSON.stringify(TOKENS));
  const children: ChildProcess[] = [];

  const medattn = (args: string[]): Proc => {
    const child = spawn(process.execPath, ['bin/medattn.js', ...args], {
      env: { ...process.env, MEDATTN_THREADS: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    children.push(child);
    let text = '';
    child.stdout!.on('data', (c) => (text += c));
    child.stderr!.on('data', (c) => (text += c));
    const exited = new Promise<number | null>((r) => child.on('close', (code) => r(code)));
    return { child, output: () => text, exited };
  };

  return {
    dir,
    medattn,
    server: (out: string, port: number, extra: string[] = []) =>
      medattn([
        'fl', 'server', '--config', join(dir, 'server.json'), '--out', join(dir, out), '--tokens', join(dir, 'tokens.json'),
        '--cert', join(dir, 'cert.pem'), '--key', join(dir, 'key.pem'), '--port', String(port), ...extra,
      ]), // prettier-ignore
    client: (site: number, port: number, o: { token?: string; extra?: string[] } = {}) =>
      medattn([
        'fl', 'client', '--config', join(dir, `site${site}.json`), '--server', `https://127.0.0.1:${port}`,
        '--token', o.token ?? Object.values(TOKENS)[site], '--ca', join(dir, 'cert.pem'), '--patience', '60',
        ...(o.extra ?? []),
      ]), // prettier-ignore
    /** One HTTPS request to the server as `token` (the test acting as a site). */
    call: (port: number, method: string, path: string, token: string, body?: Uint8Array, headers = {}) =>
      new Promise<{ status: number; body: Buffer }>((resolve, reject) => {
        const req = request(
          {
            method, host: '127.0.0.1', port, path, ca: readFileSync(join(dir, 'cert.pem')),
            headers: { authorization: `Bearer ${token}`, ...(body ? { 'content-length': String(body.length) } : {}), ...headers },
          },
          (res) => {
            const chunks: Buffer[] = [];
            res.on('data', (c: Buffer) => chunks.push(c));
            res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks) }));
          },
        ); // prettier-ignore
        req.on('error', reject);
        req.end(body ? Buffer.from(body) : undefined);
      }),
    cleanup: () => {
      for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export async function waitFor(p: Proc, pattern: RegExp, ms = 90_000): Promise<void> {
  const end = Date.now() + ms;
  while (!pattern.test(p.output())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${pattern}; output:\n${p.output()}`);
    if (p.child.exitCode !== null && !pattern.test(p.output()))
      throw new Error(`exited ${p.child.exitCode} before ${pattern}; output:\n${p.output()}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
