// The fl server's secure aggregation, DP-FedAvg and mutual TLS with real processes on 127.0.0.1. Local training
// is deterministic (one thread, seeded), so every run's round 1 sees the same site weights: the plain run's
// received uploads (--save-received) are the sites' true weights, against which the secure run's aggregate
// (= FedAvg within the fixed-point resolution), its masked uploads (uncorrelated), the dropout retry and the
// DP runs' noise (std z*C/K around the mean clipped update) are checked.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { decodeSafetensors, safetensorToArray, type SafetensorRecord } from '../../src/tensor/safetensors.js';
import { generateMaskingKeys } from '../../src/fl/secure-aggregation.js';
import { clipUpdate, dpFedAvgEpsilon } from '../../src/fl/dp-fedavg.js';
import { flattenState, vectorNames, type State } from '../../src/fl/state-vector.js';
import { TOKENS, flFixture, waitFor } from './fl-process-helpers.js';

// Two stages, about 6,000 weights: the correlation of independent vectors is then within +-0.05 (4 sigma).
const fx = flFixture('medattn-flsec-', [
  { channels: 16, attention: 'se' },
  { channels: 32, attention: 'se' },
]);
const { dir } = fx;
after(() => fx.cleanup());

const readState = (path: string): State => decodeSafetensors(readFileSync(path), path).tensors;
const received = (run: string, file: string) => readState(join(dir, `${run}-received`, `${file}.safetensors`));

/** One round with the three sites; the initial global weights as served, and the aggregate. */
async function oneRound(run: string, port: number, extra: string[], sites = [0, 1, 2]) {
  const s = fx.server(run, port, ['--rounds', '1', '--save-received', join(dir, `${run}-received`), ...extra]);
  await waitFor(s, /listening on/);
  const model = await fx.call(port, 'GET', '/v1/model', TOKENS.site0);
  const global = decodeSafetensors(new Uint8Array(model.body), 'global').tensors;
  const clients = sites.map((i) => fx.client(i, port));
  return {
    server: s,
    clients,
    global,
    done: async () => {
      assert.equal(await s.exited, 0, s.output());
      for (const c of clients) assert.equal(await c.exited, 0, c.output());
      return readState(join(dir, run, 'last.safetensors'));
    },
  };
}

function pearson(a: ArrayLike<number>, b: ArrayLike<number>): number {
  const n = a.length;
  let ma = 0;
  let mb = 0;
  for (let k = 0; k < n; k++) [ma, mb] = [ma + a[k] / n, mb + b[k] / n];
  let [sab, saa, sbb] = [0, 0, 0];
  for (let k = 0; k < n; k++) {
    sab += (a[k] - ma) * (b[k] - mb);
    saa += (a[k] - ma) ** 2;
    sbb += (b[k] - mb) ** 2;
  }
  return sab / Math.sqrt(saa * sbb);
}

const maxDiff = (a: Float32Array, b: ArrayLike<number>) => a.reduce((m, v, k) => Math.max(m, Math.abs(v - b[k])), 0);
const names = (s: State) => vectorNames(s);
let plainGlobal: State;
let plainWeights: Float32Array[] = []; // each site's round-1 weights, as the plain server received them

test('secure aggregation: the aggregate equals plain FedAvg; what the server receives is uncorrelated', async (t) => {
  const plain = await oneRound('plain', 18511, ['--round-timeout', '120']);
  const plainAgg = await plain.done();
  plainGlobal = plain.global;
  const n = names(plainGlobal);
  plainWeights = [0, 1, 2].map((i) => flattenState(received('plain', `round1-site${i}`), n));
  const secure = await oneRound('secure', 18512, ['--round-timeout', '120', '--secure-aggregation']);
  const secureAgg = await secure.done();
  const log = secure.server.output();
  assert.match(log, /round 1: secure aggregation attempt 0: masking among site0, site1, site2/);
  assert.doesNotMatch(log, /round 1: update from site/); // no plain update reached it
  assert.deepEqual(flattenState(secure.global, n), flattenState(plainGlobal, n)); // same seeded start
  const a = flattenState(plainAgg, n);
  const b = flattenState(secureAgg, n);
  assert.ok(maxDiff(a, flattenState(plainGlobal, n)) > 1e-3, 'the round trained');
  // Equal sites (32 samples each): FedAvg is their mean. Three fixed-point roundings of 2^-21 at most.
  const mean = plainWeights[0].map((_, k) => (plainWeights[0][k] + plainWeights[1][k] + plainWeights[2][k]) / 3);
  assert.ok(maxDiff(a, mean) < 1e-6, `plain server vs mean: ${maxDiff(a, mean)}`);
  assert.ok(maxDiff(b, a) < 2e-6, `secure vs plain FedAvg: ${maxDiff(b, a)}`);
  t.diagnostic(`max |secure - FedAvg| = ${maxDiff(b, a)} over ${a.length} weights`);
  // Integer entries (batch-norm step counters) keep the global value.
  for (const k of Object.keys(secureAgg).filter((k) => secureAgg[k].dtype !== 'F32'))
    assert.deepEqual(secureAgg[k].data, secure.global[k].data, k);
  // What the server received from site0: one I32 tensor, uncorrelated with site0's (weighted) weights, while
  // the plain upload correlates with the aggregate as any site's weights do (the measure can see it).
  for (let i = 0; i < 3; i++) {
    const m = received('secure', `round1-attempt0-site${i}`);
    assert.deepEqual(Object.keys(m), ['masked']);
    const seen = safetensorToArray(m.masked as SafetensorRecord & { dtype: 'I32' });
    assert.equal(seen.length, a.length);
    const r = pearson(seen, plainWeights[i]);
    // 4 standard deviations of r for independent vectors of this length.
    assert.ok(Math.abs(r) < 4 / Math.sqrt(a.length), `site${i}: r(masked, weights) = ${r} over ${a.length} values`);
    t.diagnostic(`site${i}: r(received, weights) = ${r.toFixed(4)}`);
  }
  assert.ok(pearson(plainWeights[0], b) > 0.9);
  // The run folder has a report like train's.
  const report = readFileSync(join(dir, 'secure', 'report.html'), 'utf8');
  assert.match(report, /federated rounds \(1 of 1, fedavg, secure aggregation\)/);
});

test('secure aggregation: a site that drops after the key exchange makes the others mask again; the round completes', async () => {
  const port = 18513;
  const run = await oneRound(
    'drop',
    port,
    ['--round-timeout', '40', '--min-clients', '2', '--secure-aggregation'],
    [0, 1],
  );
  // The test plays site2: it announces a key once the real sites have, then never uploads.
  await waitFor(
    run.server,
    /masking key from site0[\s\S]*masking key from site1|masking key from site1[\s\S]*masking key from site0/,
  );
  const key = JSON.stringify({ publicKey: generateMaskingKeys().publicKey, samples: 32, loss: 0.5 });
  const post = () =>
    fx.call(port, 'POST', '/v1/keys?round=1&attempt=0', TOKENS.site2, Buffer.from(key), {
      'content-type': 'application/json',
    });
  assert.equal((await post()).status, 200);
  assert.equal((await post()).status, 409); // a second key for the same exchange
  const agg = await run.done();
  const log = run.server.output();
  assert.match(log, /refused site2: second masking key for round 1 attempt 0/);
  assert.match(
    log,
    /round 1: secure aggregation: site2 sent a key but no masked update; its masks cannot be removed, so the masked updates are discarded and the key exchange is repeated with site0, site1 \(attempt 1\)/,
  );
  assert.match(log, /secure aggregation attempt 1: masking among site0, site1\n/);
  assert.match(log, /round 1\/1 from 2 sites \(64 samples\)/);
  // Both attempts' uploads reached the server, under different masks; the sum is FedAvg of the two sites.
  const n = names(agg);
  const words = (f: string) => safetensorToArray(received('drop', f).masked as SafetensorRecord & { dtype: 'I32' });
  const [w0, w1] = [words('round1-attempt0-site0'), words('round1-attempt1-site0')];
  assert.ok(w0.filter((v, k) => v === w1[k]).length < 5);
  const mean = plainWeights[0].map((v, k) => (v + plainWeights[1][k]) / 2);
  const got = flattenState(agg, n);
  assert.ok(maxDiff(got, mean) < 2e-6, `after the retry vs FedAvg of site0, site1: ${maxDiff(got, mean)}`);
});

/** Std of (aggregate - global - mean clipped update) over the weights: the DP noise the server added or the sites did. */
function noiseStd(agg: State, clip: number): number {
  const n = names(agg);
  const g = flattenState(plainGlobal, n);
  const clipped = plainWeights.map((w) =>
    clipUpdate(
      w.map((v, k) => v - g[k]),
      clip,
    ),
  );
  const got = flattenState(agg, n);
  let s = 0;
  for (let k = 0; k < got.length; k++) s += (got[k] - g[k] - (clipped[0][k] + clipped[1][k] + clipped[2][k]) / 3) ** 2;
  return Math.sqrt(s / got.length);
}

test('DP-FedAvg over the network: server-side noise, and under secure aggregation the sites add it', async (t) => {
  const clip = 0.01;
  const z = 1;
  const n = names(plainGlobal);
  const g = flattenState(plainGlobal, n);
  // The updates are longer than the clip norm, so clipping is active.
  for (const w of plainWeights) assert.ok(Math.hypot(...w.map((v, k) => v - g[k])) > 2 * clip);
  const dp = await oneRound('dp', 18514, [
    '--round-timeout',
    '120',
    '--dp-clip',
    String(clip),
    '--dp-noise',
    String(z),
  ]);
  const dpAgg = await dp.done();
  const secure = await oneRound('dp-secure', 18515, [
    '--round-timeout', '120', '--secure-aggregation', '--dp-clip', String(clip), '--dp-noise', String(z),
  ]); // prettier-ignore
  const secureAgg = await secure.done();
  // Expected std z*C/K = 0.00333 per weight; over thousands of weights the estimate is within a few percent.
  for (const [what, agg] of [
    ['server noise', dpAgg],
    ['site noise', secureAgg],
  ] as const) {
    const std = noiseStd(agg, clip);
    assert.ok(Math.abs(std / ((z * clip) / 3) - 1) < 0.15, `${what}: noise std ${std}, expected ${(z * clip) / 3}`);
    t.diagnostic(`${what}: noise std ${std.toExponential(4)} (expected ${((z * clip) / 3).toExponential(4)})`);
  }
  const metrics = JSON.parse(readFileSync(join(dir, 'dp', 'metrics.json'), 'utf8'));
  assert.ok(Math.abs(metrics.history[0].epsilon - dpFedAvgEpsilon(3, 3, z, 1, 1e-5)) < 1e-9);
  assert.match(dp.server.output(), /DP-FedAvg \(clip 0\.01, noise 1\)/);
});

test('mutual TLS: sites with a certificate from --client-ca take part; a site without one is refused', async () => {
  const pem = (f: string) => join(dir, f);
  const openssl = (args: string[]) => execFileSync('openssl', args, { stdio: 'ignore' });
  openssl(['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', pem('ca.key'),
    '-out', pem('ca.pem'), '-days', '1', '-subj', '/CN=sites-ca']); // prettier-ignore
  openssl(['req', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', pem('site.key'),
    '-out', pem('site.csr'), '-subj', '/CN=site']); // prettier-ignore
  openssl(['x509', '-req', '-in', pem('site.csr'), '-CA', pem('ca.pem'), '-CAkey', pem('ca.key'), '-CAcreateserial',
    '-out', pem('site.pem'), '-days', '1']); // prettier-ignore
  const port = 18516;
  const s = fx.server('mtls', port, [
    '--rounds',
    '1',
    '--round-timeout',
    '30',
    '--min-clients',
    '2',
    '--client-ca',
    pem('ca.pem'),
  ]);
  await waitFor(s, /listening on .*client certificates required/);
  const withCert = [0, 1].map((i) =>
    fx.client(i, port, { extra: ['--cert', pem('site.pem'), '--key', pem('site.key')] }),
  );
  const without = fx.client(2, port);
  assert.equal(await without.exited, 1);
  assert.match(
    without.output().trim(),
    /^medattn: --cert: the server requires a client certificate \(mutual TLS\); give --cert and --key$/,
  );
  assert.equal(await s.exited, 0, s.output());
  for (const c of withCert) assert.equal(await c.exited, 0, c.output());
  assert.match(
    s.output(),
    /refused (::ffff:)?127\.0\.0\.1: TLS handshake failed \(ERR_SSL_PEER_DID_NOT_RETURN_A_CERTIFICATE\)/,
  );
  assert.match(s.output(), /round 1\/1 from 2 sites \(64 samples\)/);
  assert.ok(existsSync(join(dir, 'mtls', 'report.html')));
});
