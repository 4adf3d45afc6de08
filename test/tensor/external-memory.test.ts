// What V8 is told about native memory: tensors outside tidy() report their bytes (so the GC feels pressure from
// tensors a user forgets to dispose), tensors inside a scope do not (the scope frees them), and a tensor that
// leaves the outermost scope, returned or kept, is reported then.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { keep, tidy, zeros } from '../../src/tensor/index.js';
import { native } from '../../src/tensor/native.js';

const MB4 = 4 * 1024 * 1024; // a [1024, 1024] float32 tensor
const external = () => native.reportedExternalBytes();
const near = (actual: number, expected: number, what: string) =>
  assert.equal(actual, expected, `${what}: ${actual} bytes, expected ${expected}`);

test('an unscoped tensor reports its bytes until disposed', () => {
  const before = external();
  const t = zeros([1024, 1024]);
  near(external() - before, MB4, 'after creation');
  t.dispose();
  near(external() - before, 0, 'after dispose');
});

test('tensors made inside tidy are not reported; returned or kept ones are when they leave the outermost scope', () => {
  const before = external();
  let inside = NaN;
  let kept: ReturnType<typeof zeros> | undefined;
  const returned = tidy(() => {
    zeros([1024, 1024]);
    const r = tidy(() => zeros([1024, 1024])); // leaves an inner scope only: still unreported
    inside = external() - before;
    kept = keep(zeros([1024, 1024]));
    return r;
  });
  near(inside, 0, 'inside the scope');
  near(external() - before, 2 * MB4, 'returned + kept');
  returned.dispose();
  kept!.dispose();
  near(external() - before, 0, 'after dispose');
});
