// fetchDataset against a local HTTP server: checksums checked, resumable, atomic, one-line errors.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fetchDataset, MARKER } from '../../../src/data/fetch/fetch-dataset.js';
import type { CatalogEntry, CatalogFile } from '../../../src/data/fetch/catalog-entry.js';
import { FetchError } from '../../../src/data/fetch/errors.js';
import { UserError } from '../../../src/user-error.js';
import { startLocalServer, type LocalServer } from './local-server.js';

let server: LocalServer;
before(async () => {
  server = await startLocalServer();
});
after(() => server.close());

const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');
const freshDir = () => mkdtempSync(join(tmpdir(), 'medattn-fetch-'));

/** Serves `files` under /files/<test>/ and returns an entry whose checksums match them. */
function serve(test: string, files: Record<string, Buffer>, extra: Partial<CatalogFile> = {}): CatalogEntry {
  for (const [name, data] of Object.entries(files)) server.files.set(`/files/${test}/${name}`, data);
  return {
    name: test,
    title: test,
    license: 'test',
    folder: test,
    baseUrl: `${server.url}/files/${test}/`,
    files: Object.entries(files).map(([remote, data]) => ({
      remote,
      checksum: { algorithm: 'sha256', value: sha256(data) },
      ...extra,
    })),
    checksumSource: 'computed by the test',
  };
}

const requestsFor = (test: string) => server.log.filter((r) => r.path.startsWith(`/files/${test}/`));

test('a file whose checksum matches lands in <dir>/<folder> with a marker, and nothing else is left behind', async () => {
  const data = randomBytes(70_000);
  const entry = serve('ok', { 'a.bin': data, 'sub/b.txt': Buffer.from('hello\n') });
  const dir = freshDir();
  const result = await fetchDataset(entry, { dir });
  assert.equal(result.folder, join(dir, 'ok'));
  assert.equal(result.fetched, true);
  assert.equal(result.bytes, 70_006);
  assert.deepEqual(readFileSync(join(dir, 'ok', 'a.bin')), data);
  assert.equal(readFileSync(join(dir, 'ok', 'sub', 'b.txt'), 'utf8'), 'hello\n');
  assert.ok(existsSync(join(dir, 'ok', MARKER)));
  assert.deepEqual(readdirSync(dir), ['ok']); // no staging folder, no .tmp folder
  // A second fetch finds it complete and downloads nothing.
  const before = requestsFor('ok').length;
  const again = await fetchDataset(entry, { dir });
  assert.equal(again.fetched, false);
  assert.equal(requestsFor('ok').length, before);
});

test('a checksum mismatch is one line naming the data set and URL, deletes the bad download and keeps verified files', async () => {
  const good = randomBytes(1000);
  const entry = serve('mismatch', { 'good.bin': good, 'bad.bin': randomBytes(1000) });
  entry.files[1] = { ...entry.files[1], checksum: { algorithm: 'md5', value: '0123456789abcdef0123456789abcdef' } };
  const dir = freshDir();
  await assert.rejects(fetchDataset(entry, { dir, concurrency: 1 }), (e: Error) => {
    assert.ok(e instanceof FetchError && e instanceof UserError);
    assert.match(
      e.message,
      /^mismatch: checksum mismatch for http:\/\/127\.0\.0\.1:\d+\/files\/mismatch\/bad\.bin: md5 [0-9a-f]{32}, the publisher says 0123456789abcdef0123456789abcdef/,
    );
    assert.ok(!e.message.includes('\n'));
    return true;
  });
  assert.ok(!existsSync(join(dir, 'mismatch')), 'no data set folder after a mismatch');
  const staging = join(dir, '.medattn-fetch', 'mismatch');
  assert.ok(!existsSync(join(staging, 'bad.bin.part')), 'the corrupt download is gone');
  assert.deepEqual(readFileSync(join(staging, 'good.bin')), good, 'the verified file is kept');
  // The publisher fixes the file: the next run downloads only what was missing.
  const fixed = randomBytes(1000);
  server.files.set('/files/mismatch/bad.bin', fixed);
  entry.files[1] = { ...entry.files[1], checksum: { algorithm: 'sha256', value: sha256(fixed) } };
  const before = requestsFor('mismatch').length;
  await fetchDataset(entry, { dir });
  assert.deepEqual(
    requestsFor('mismatch')
      .slice(before)
      .map((r) => r.path),
    ['/files/mismatch/bad.bin'],
  );
  assert.deepEqual(readFileSync(join(dir, 'mismatch', 'bad.bin')), fixed);
});

test('a connection cut mid-file leaves a .part file; the next run asks for the rest with Range and completes', async () => {
  const data = randomBytes(200_000);
  const entry = serve('resume', { 'big.bin': data });
  server.cutAfter.set('/files/resume/big.bin', 65_536);
  const dir = freshDir();
  await assert.rejects(fetchDataset(entry, { dir }), (e: Error) => {
    assert.ok(e instanceof FetchError);
    assert.match(
      e.message,
      /^resume: http:\/\/127\.0\.0\.1:\d+\/files\/resume\/big\.bin: connection lost after 65536 (of 200000 )?bytes/,
    );
    return true;
  });
  assert.ok(!existsSync(join(dir, 'resume')), 'a partial download never looks complete');
  assert.equal(statSync(join(dir, '.medattn-fetch', 'resume', 'big.bin.part')).size, 65_536);
  await fetchDataset(entry, { dir });
  const log = requestsFor('resume');
  assert.deepEqual(
    log.map((r) => r.range),
    [undefined, 'bytes=65536-'],
  );
  assert.deepEqual(readFileSync(join(dir, 'resume', 'big.bin')), data);
});

test('a server error is a one-line FetchError with the status and URL', async () => {
  const entry = serve('error', { 'x.bin': Buffer.from('x') });
  server.statuses.set('/files/error/x.bin', 503);
  await assert.rejects(
    fetchDataset(entry, { dir: freshDir() }),
    (e: Error) =>
      e instanceof FetchError &&
      /^error: http:\/\/127\.0\.0\.1:\d+\/files\/error\/x\.bin: HTTP 503 Service Unavailable$/.test(e.message),
  );
});

test('a silent server times out', async () => {
  const entry = serve('silent', { 'x.bin': Buffer.from('x') });
  server.silent.add('/files/silent/x.bin');
  await assert.rejects(
    fetchDataset(entry, { dir: freshDir(), timeoutMs: 300 }),
    (e: Error) =>
      e instanceof FetchError && /^silent: .*\/files\/silent\/x\.bin: no response for 0\.3 s/.test(e.message),
  );
});

test('redirects are followed', async () => {
  const data = Buffer.from('moved here');
  const entry = serve('redirect', { 'x.txt': data });
  server.files.set('/elsewhere/x.txt', data);
  server.redirects.set('/files/redirect/x.txt', '/elsewhere/x.txt');
  const dir = freshDir();
  await fetchDataset(entry, { dir });
  assert.equal(readFileSync(join(dir, 'redirect', 'x.txt'), 'utf8'), 'moved here');
});

test('--mirror URL replaces the base URL (and drops the publisher-only URL suffix)', async () => {
  const data = Buffer.from('from the mirror');
  const entry = {
    ...serve('mirror-url', { 'x.txt': Buffer.from('unused') }),
    baseUrl: 'http://192.0.2.1/unreachable/',
    urlSuffix: '?download=1',
  };
  entry.files[0].checksum.value = sha256(data);
  server.files.set('/mirror/x.txt', data);
  const dir = freshDir();
  await fetchDataset(entry, { dir, mirror: `${server.url}/mirror` });
  assert.equal(readFileSync(join(dir, 'mirror-url', 'x.txt'), 'utf8'), 'from the mirror');
  assert.deepEqual(server.log.at(-1), { path: '/mirror/x.txt', range: undefined });
});

test('--mirror DIR copies from a local folder, checks checksums the same way, and names a missing file', async () => {
  const mirror = freshDir();
  mkdirSync(join(mirror, 'sub'));
  writeFileSync(join(mirror, 'sub', 'y.txt'), 'local copy');
  const entry = {
    ...serve('mirror-dir', { 'sub/y.txt': Buffer.from('local copy') }),
    baseUrl: 'http://192.0.2.1/unreachable/',
  };
  const dir = freshDir();
  await fetchDataset(entry, { dir, mirror });
  assert.equal(readFileSync(join(dir, 'mirror-dir', 'sub', 'y.txt'), 'utf8'), 'local copy');
  const missing = {
    ...entry,
    name: 'mirror-missing',
    folder: 'mirror-missing',
    files: [{ ...entry.files[0], remote: 'absent.txt' }],
  };
  await assert.rejects(
    fetchDataset(missing, { dir, mirror }),
    (e: Error) =>
      e instanceof FetchError &&
      e.message === `mirror-missing: ${join(mirror, 'absent.txt')}: no such file in the mirror folder`,
  );
  await assert.rejects(
    fetchDataset(entry, { dir: freshDir(), mirror: join(mirror, 'nope') }),
    /--mirror .*nope: not an http\(s\) URL and not a folder/,
  );
});

test('a folder that exists without a marker is never overwritten', async () => {
  const entry = serve('exists', { 'x.txt': Buffer.from('x') });
  const dir = freshDir();
  mkdirSync(join(dir, 'exists'));
  writeFileSync(join(dir, 'exists', 'mine.txt'), 'user data');
  await assert.rejects(
    fetchDataset(entry, { dir }),
    /^FetchError: exists: .*exists already exists and was not written by 'medattn data fetch'/,
  );
  assert.deepEqual(readdirSync(join(dir, 'exists')), ['mine.txt']);
});

test('progress reports bytes and files as they arrive', async () => {
  const entry = serve('progress', { 'a.bin': randomBytes(30_000), 'b.bin': randomBytes(10_000) });
  entry.files = entry.files.map((f, i) => ({ ...f, size: i === 0 ? 30_000 : 10_000 }));
  const seen: { bytes: number; totalBytes?: number; filesDone: number }[] = [];
  await fetchDataset(entry, { dir: freshDir(), onProgress: (p) => seen.push(p) });
  const last = seen.at(-1);
  assert.deepEqual(last, { bytes: 40_000, totalBytes: 40_000, filesDone: 2, filesTotal: 2 });
  assert.ok(
    seen.every((p, i) => i === 0 || p.bytes >= seen[i - 1].bytes),
    'bytes never go back',
  );
});

test("a size that differs from the publisher's is rejected before hashing", async () => {
  const entry = serve('size', { 'x.bin': Buffer.alloc(10) });
  entry.files[0].size = 11;
  await assert.rejects(
    fetchDataset(entry, { dir: freshDir() }),
    /size: checksum mismatch for .*x\.bin: size 10 bytes, the publisher says 11/,
  );
});

test('archives are unpacked into the data set folder beside plain files (the PhysioNet layout); a bad archive leaves nothing', async () => {
  const src = freshDir();
  mkdirSync(join(src, 'set-a'));
  writeFileSync(join(src, 'set-a', '132539.txt'), 'Time,Parameter,Value\n');
  writeFileSync(join(src, 'set-a', '132540.txt'), 'Time,Parameter,Value\n');
  const tarball = join(freshDir(), 'set-a.tar.gz');
  assert.equal(spawnSync('tar', ['-czf', tarball, '-C', src, 'set-a']).status, 0);
  const entry = serve('archive', {
    'set-a.tar.gz': readFileSync(tarball),
    'Outcomes-a.txt': Buffer.from('RecordID\n'),
  });
  entry.files[0].unpack = 'tar.gz';
  const dir = freshDir();
  await fetchDataset(entry, { dir });
  assert.deepEqual(readdirSync(join(dir, 'archive')).sort(), ['.medattn-fetch.json', 'Outcomes-a.txt', 'set-a']);
  assert.deepEqual(readdirSync(join(dir, 'archive', 'set-a')).sort(), ['132539.txt', '132540.txt']);

  const bad = serve('bad-archive', { 'x.zip': Buffer.from('this is no zip file') });
  bad.files[0].unpack = 'zip';
  const dir2 = freshDir();
  await assert.rejects(
    fetchDataset(bad, { dir: dir2 }),
    /^FetchError: bad-archive: .*\/x\.zip: not a readable zip file/,
  );
  assert.deepEqual(readdirSync(dir2), ['.medattn-fetch'], 'no data set folder and no half-unpacked temporary folder');
});

test('one fetch of a data set at a time: a live lock holder is named, a dead one is taken over', async () => {
  const entry = serve('locked', { 'x.txt': Buffer.from('x') });
  const dir = freshDir();
  const staging = join(dir, '.medattn-fetch', 'locked');
  mkdirSync(staging, { recursive: true });
  writeFileSync(join(staging, '.lock'), String(process.pid)); // alive: this test's own process
  await assert.rejects(
    fetchDataset(entry, { dir }),
    /^FetchError: locked: another 'medattn data fetch' \(pid \d+\) is fetching it/,
  );
  const gone = spawnSync(process.execPath, ['-e', 'console.log(process.pid)'], { encoding: 'utf8' });
  writeFileSync(join(staging, '.lock'), gone.stdout.trim()); // a process that has exited (killed mid-fetch)
  await fetchDataset(entry, { dir });
  assert.deepEqual(readdirSync(dir), ['locked']);
});

test('a file kept from an earlier run is checked again and fetched anew when it no longer matches', async () => {
  const data = randomBytes(5000);
  const entry = serve('restaged', { 'x.bin': data });
  const dir = freshDir();
  mkdirSync(join(dir, '.medattn-fetch', 'restaged'), { recursive: true });
  writeFileSync(join(dir, '.medattn-fetch', 'restaged', 'x.bin'), 'verified against an older catalog');
  await fetchDataset(entry, { dir });
  assert.deepEqual(readFileSync(join(dir, 'restaged', 'x.bin')), data);
  assert.equal(requestsFor('restaged').length, 1);
});
