// Runs the test suite with node's test runner (TypeScript through tsx; `import 'medattn/...'` resolves to src/).
//   node scripts/test.mjs [--slow] [files or folders...]
// Default: every test/**/*.test.ts except *.slow.test.ts; --slow runs only the slow real-data training tests.
import { readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { spawnSync } from 'node:child_process';

const argv = process.argv.slice(2);
const slow = argv.includes('--slow') || process.env.MEDATTN_SLOW === '1';
const roots = argv.filter((a) => !a.startsWith('--'));

function collect(path, out) {
  if (statSync(path).isDirectory()) {
    for (const entry of readdirSync(path).sort()) collect(join(path, entry), out);
  } else if (path.endsWith('.test.ts') && slow === path.endsWith('.slow.test.ts')) {
    out.push(path);
  }
  return out;
}

const files = (roots.length ? roots : ['test']).flatMap((r) => collect(r, []));
if (files.length === 0) {
  console.error('no test files found');
  process.exit(1);
}
console.log(`running ${files.length} ${slow ? 'slow ' : ''}test files`);
const result = spawnSync(
  process.execPath,
  [
    '--expose-gc',
    '--conditions=medattn-source',
    '--import',
    'tsx',
    '--test',
    '--test-concurrency=1',
    '--test-reporter=spec',
    ...files.map((f) => relative('.', f)),
  ],
  { stdio: 'inherit', env: { ...process.env, MEDATTN_TEST: '1' } },
);
process.exit(result.status ?? 2);
