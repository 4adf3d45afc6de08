// Runs the benchmarks in bench/ (TypeScript through tsx; `import 'medattn/...'` resolves to src/), one process
// each, in name order.
//   npm run bench                          every benchmark
//   npm run bench -- models train          only these (file names without .ts)
//   npm run bench -- models --repeats 3    options from the first --option on go to each benchmark run
//   npm run bench -- --list                names and first lines, nothing run
// A benchmark is a bench/*.ts with no exports; modules that export (bench/flops.ts) are its helpers.
import { readdirSync, readFileSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const benchDir = join(root, 'bench');

const benchmarks = readdirSync(benchDir)
  .filter((f) => f.endsWith('.ts') && !/^export\s/m.test(readFileSync(join(benchDir, f), 'utf8')))
  .map((f) => f.slice(0, -'.ts'.length))
  .sort();

const argv = process.argv.slice(2);
const firstOption = argv.findIndex((a) => a.startsWith('--'));
const names = firstOption < 0 ? argv : argv.slice(0, firstOption);
const passOn = firstOption < 0 ? [] : argv.slice(firstOption);

if (passOn[0] === '--list') {
  for (const name of benchmarks) {
    const text = readFileSync(join(benchDir, `${name}.ts`), 'utf8');
    // The first words of the header comment (`// ...` or `/** ... */`).
    const summary =
      text
        .split('\n')
        .map((line) => line.replace(/^\s*(\/\*\*|\/\/|\*)\s*/, '').trim())
        .find((line) => line.length > 0) ?? '';
    console.log(`${name.padEnd(10)} ${summary}`);
  }
  process.exit(0);
}

const unknown = names.filter((n) => !benchmarks.includes(n));
if (unknown.length > 0) {
  console.error(`bench: no benchmark named ${unknown.join(', ')} (there are: ${benchmarks.join(', ')})`);
  process.exit(1);
}

let failed = 0;
for (const name of names.length > 0 ? names : benchmarks) {
  console.log(`== bench/${name}.ts ${passOn.join(' ')}`.trimEnd());
  const started = Date.now();
  const r = spawnSync(
    process.execPath,
    ['--conditions=medattn-source', '--import', 'tsx', join('bench', `${name}.ts`), ...passOn],
    {
      cwd: root,
      stdio: 'inherit',
    },
  );
  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  if (r.status !== 0) {
    failed++;
    console.error(`bench/${name}.ts exited ${r.status ?? r.signal} after ${seconds} s`);
  } else {
    console.log(`bench/${name}.ts done in ${seconds} s`);
  }
}
process.exit(failed > 0 ? 1 : 0);
