// `medattn fl server` and `fl client` as real processes on 127.0.0.1 over HTTPS with a self-signed
// certificate made by openssl: a full run writes the run folder; bad updates from a cohort site (stale/replayed
// round, oversized, wrong checksum, another architecture) and a wrong token are refused with one server log
// line each while the round completes; a silent site is dropped at the timeout (--min-clients); a server
// killed with kill -9 resumes after its last completed round and the clients rejoin by themselves; TLS 1.2 is
// refused. And --help naming every option. (Slow tier: each process start costs seconds on a loaded machine.)
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { connect } from 'node:tls';
import { join } from 'node:path';
import { encodeSafetensors, safetensorFromArray } from '../../src/tensor/safetensors.js';
import { TOKENS, flFixture, waitFor } from './fl-process-helpers.js';

const fx = flFixture('medattn-fl-');
const { dir, server } = fx;
const client = (site: number, port: number, token?: string) => fx.client(site, port, { token });
after(() => fx.cleanup());

const post = async (port: number, path: string, token: string, body: Uint8Array, headers: Record<string, string>) =>
  (await fx.call(port, 'POST', path, token, body, headers)).status;

test('fl: 3 sites, 2 rounds of FedAvg over HTTPS write the run folder; evaluate reads it', async () => {
  const s = server('run-ok', 18501, ['--rounds', '2', '--round-timeout', '120']);
  await waitFor(s, /listening on/);
  const clients = [0, 1, 2].map((i) => client(i, 18501));
  assert.equal(await s.exited, 0, s.output());
  for (const c of clients) {
    assert.equal(await c.exited, 0, c.output());
    assert.match(c.output(), /took part in rounds 1, 2/);
  }
  const metrics = JSON.parse(readFileSync(join(dir, 'run-ok/metrics.json'), 'utf8'));
  assert.deepEqual(
    metrics.history.map((r: { round: number; samples: number; clients: string[] }) => [r.round, r.samples, r.clients.length]),
    [[1, 96, 3], [2, 96, 3]],
  ); // prettier-ignore
  assert.equal(metrics.monitor, 'auroc');
  const ev = spawnSync(
    process.execPath,
    ['bin/medattn.js', 'evaluate', '--run', join(dir, 'run-ok'), '--data', join(dir, 'tiny.npz'), '--split', 'val', '--json', '--engine', 'torch'],
    { encoding: 'utf8' },
  ); // prettier-ignore
  assert.equal(ev.status, 0, ev.stderr);
  assert.equal(JSON.parse(ev.stdout).n, 32);
  assert.equal(JSON.parse(ev.stdout).auroc, metrics.best.auroc);
});

test('fl: bad updates and a wrong token are refused with one log line each; the silent site is dropped', async () => {
  const s = server('run-bad', 18502, [
    '--rounds',
    '1',
    '--min-clients',
    '2',
    '--round-timeout',
    '20',
    '--max-update-mb',
    '0.05',
  ]);
  await waitFor(s, /listening on/);
  const c0 = client(0, 18502);
  const c1 = client(1, 18502);
  const wrong = client(2, 18502, 'not-the-token-of-anyone');
  const tensors = { 'stages.0.convs.0.weight': safetensorFromArray('F32', [2], new Float32Array([1, 2])) };
  const small = encodeSafetensors(tensors);
  const sha = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');
  const h = (b: Uint8Array) => ({ 'x-medattn-sha256': sha(b), 'x-medattn-samples': '32' });
  const token = TOKENS.site2;
  assert.equal(await post(18502, '/v1/update?round=7', token, small, h(small)), 409); // replayed/stale round
  assert.equal(await post(18502, '/v1/update?round=1', token, new Uint8Array(60_000), h(new Uint8Array(60_000))), 413);
  assert.equal(
    await post(18502, '/v1/update?round=1', token, small, { ...h(small), 'x-medattn-sha256': sha(new Uint8Array(1)) }),
    400,
  );
  assert.equal(await post(18502, '/v1/update?round=1', token, new Uint8Array(64), h(new Uint8Array(64))), 400); // malformed
  assert.equal(await post(18502, '/v1/update?round=1', token, small, h(small)), 400); // another architecture
  assert.equal(await s.exited, 0, s.output());
  const log = s.output();
  assert.match(log, /refused site2: update for round 7 is not for the current round \(1\): replayed or stale/);
  assert.match(log, /refused site2: update of 60000 bytes exceeds the cap of 52429/);
  assert.match(log, /refused site2: update checksum does not match/);
  assert.match(log, /refused site2: malformed update/);
  assert.match(log, /refused site2: update is for another architecture: tensor names differ/);
  assert.match(log, /refused (::ffff:)?127\.0\.0\.1: wrong or missing token/);
  assert.match(log, /round 1: dropped site2 \(no update within 20 s\)/);
  assert.match(log, /round 1\/1 from 2 sites \(64 samples\)/);
  assert.equal(await c0.exited, 0);
  assert.equal(await c1.exited, 0);
  assert.equal(await wrong.exited, 1);
  assert.match(
    wrong.output().trim(),
    /^medattn: --token: the server at https:\/\/127\.0\.0\.1:18502 refused this site's token$/,
  );
});

test('fl: a server killed with kill -9 resumes after its last completed round; clients rejoin', async () => {
  let s = server('run-kill', 18503, ['--rounds', '3', '--round-timeout', '120']);
  await waitFor(s, /listening on/);
  const clients = [0, 1, 2].map((i) => client(i, 18503));
  await waitFor(s, /round 1\/3 from 3 sites/);
  s.child.kill('SIGKILL');
  await s.exited;
  s = server('run-kill', 18503, ['--rounds', '3', '--round-timeout', '120']);
  assert.equal(await s.exited, 0, s.output());
  assert.match(s.output(), /resuming after round [12] from/);
  for (const c of clients) assert.equal(await c.exited, 0, c.output());
  const metrics = JSON.parse(readFileSync(join(dir, 'run-kill/metrics.json'), 'utf8'));
  assert.deepEqual(
    metrics.history.map((r: { round: number }) => r.round),
    [1, 2, 3],
  );
});

test('fl: the server speaks TLS 1.3 only', async () => {
  const s = server('run-tls', 18504, ['--rounds', '1', '--round-timeout', '5', '--min-clients', '1']);
  await waitFor(s, /listening on/);
  const version = (max: 'TLSv1.2' | 'TLSv1.3') =>
    new Promise<string>((resolve) => {
      const socket = connect({
        host: '127.0.0.1',
        port: 18504,
        ca: readFileSync(join(dir, 'cert.pem')),
        maxVersion: max,
      });
      socket.on('secureConnect', () => {
        resolve(socket.getProtocol() ?? '');
        socket.end();
      });
      socket.on('error', (e) => resolve(`error: ${(e as NodeJS.ErrnoException).code}`));
    });
  assert.equal(await version('TLSv1.3'), 'TLSv1.3');
  assert.match(await version('TLSv1.2'), /^error: /);
  s.child.kill('SIGKILL');
  await s.exited;
});

test('fl server --help and fl client --help describe every option', () => {
  const help = (cmd: string) =>
    spawnSync(process.execPath, ['bin/medattn.js', 'fl', cmd, '--help'], { encoding: 'utf8' }).stdout;
  const serverHelp = help('server');
  for (const o of [
    '--config',
    '--out',
    '--tokens',
    '--cert',
    '--key',
    '--client-ca',
    '--host',
    '--port',
    '--rounds',
    '--clients-per-round',
    '--min-clients',
    '--local-epochs',
    '--algorithm',
    '--mu',
    '--round-timeout',
    '--max-update-mb',
    '--dp-clip',
    '--dp-noise',
    '--dp-delta',
    '--secure-aggregation',
    '--save-received',
    '--set',
    '--data-root',
  ])
    // prettier-ignore
    assert.match(serverHelp, new RegExp(`${o} `), o);
  const clientHelp = help('client');
  for (const o of ['--config', '--server', '--token', '--ca', '--cert', '--key', '--patience', '--set', '--data-root'])
    assert.match(clientHelp, new RegExp(`${o} `), o);
});
