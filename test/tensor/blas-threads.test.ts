// OpenBLAS runs on the calling thread (native setBlasThreads, applied when the tensor module loads): its own
// pthreads spin in sched_yield between calls and starved libtorch's OpenMP threads (a DRIVE U-Net epoch 39.8 ->
// 19.5 s, a PhysioNet ICU epoch 7.7 -> 2.0 s on 2 cores). The speed is measured in docs, not here; this checks the
// setting each process gets, since a test cannot see OpenBLAS's thread count any other way.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { native } from '../../src/tensor/native.js';
import { manualSeed, ones, randn } from '../../src/tensor/index.js';

/** The BLAS thread count a fresh process ends up with after loading the addon, as setBlasThreads reports it. */
function childBlasThreads(env: Record<string, string>): number {
  const child = spawnSync(process.execPath, ['--import', 'tsx', fileURLToPath(import.meta.url), '--report'], {
    env: { ...process.env, ...env },
    encoding: 'utf8',
  });
  assert.equal(child.status, 0, child.stderr);
  return Number(child.stdout.trim().split('\n').pop());
}

if (process.argv.includes('--report')) {
  ones([2, 2]).dispose(); // loads the addon, which applies the process settings
  console.log(native.setBlasThreads(1));
} else {
  test('OpenBLAS gets one thread by default, MEDATTN_BLAS_THREADS=N gives it N', () => {
    // apt-packages.txt installs libopenblas0-pthread, so libtorch's BLAS here is OpenBLAS (-1 would mean another)
    assert.equal(childBlasThreads({ MEDATTN_BLAS_THREADS: '' }), 1);
    assert.equal(childBlasThreads({ MEDATTN_BLAS_THREADS: '2' }), 2);
    assert.equal(childBlasThreads({ MEDATTN_BLAS_THREADS: 'two' }), 1, 'an unusable value keeps the default');
  });

  test('a matmul on one BLAS thread equals a float64 reference', () => {
    manualSeed(3);
    const [m, k, n] = [64, 300, 40];
    const a = randn([m, k]);
    const b = randn([k, n]);
    native.setBlasThreads(1);
    const got = a.matmul(b).toFloat32Array();
    const [av, bv] = [a.toFloat32Array(), b.toFloat32Array()];
    let worst = 0;
    for (let i = 0; i < m; i++) {
      for (let j = 0; j < n; j++) {
        let ref = 0;
        for (let p = 0; p < k; p++) ref += av[i * k + p] * bv[p * n + j];
        worst = Math.max(worst, Math.abs(got[i * n + j] - ref));
      }
    }
    assert.ok(worst < 1e-4, `largest difference ${worst}`);
  });
}
