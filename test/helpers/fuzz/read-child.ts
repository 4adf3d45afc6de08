// Child process of the fuzz harness: reads one JSON line per input from stdin ({ id, path }), reads the file
// the way `medattn inspect` does (inspectFile: readImage, or readNpz for archives) and answers one JSON line
// ({ id, outcome, detail }). The parent sends the next input only after the answer, so when this process dies
// or stops answering, the input in flight is the one that did it.
import { createInterface } from 'node:readline';
import { inspectFile } from '../../../src/data/io/inspect.js';
import { MedattnDataError } from '../../../src/data/io/errors.js';

export interface ChildAnswer {
  id: number;
  outcome: 'ok' | 'user error' | 'crash';
  detail: string;
}

function classify(path: string, thrown: unknown): Omit<ChildAnswer, 'id'> {
  if (thrown instanceof MedattnDataError) {
    const m = thrown.message;
    // A user error must be the one line the CLI prints: it names the file (an npz member as archive.npz/a.npy)
    // and says what was wrong.
    if (!m.includes('\n') && m.startsWith(path)) return { outcome: 'user error', detail: m.slice(path.length) };
    return { outcome: 'crash', detail: `MedattnDataError that is not one line naming the file: ${JSON.stringify(m)}` };
  }
  const e = thrown as Error;
  const where = e?.stack?.split('\n').find((l) => l.includes('/src/')) ?? '';
  return { outcome: 'crash', detail: `${e?.name ?? typeof thrown}: ${e?.message ?? String(thrown)} ${where.trim()}` };
}

const lines = createInterface({ input: process.stdin });
process.stdout.write(JSON.stringify({ ready: true }) + '\n');
for await (const line of lines) {
  if (!line.trim()) continue;
  const { id, path } = JSON.parse(line) as { id: number; path: string };
  let answer: ChildAnswer;
  try {
    await inspectFile(path);
    answer = { id, outcome: 'ok', detail: '' };
  } catch (thrown) {
    answer = { id, ...classify(path, thrown) };
  }
  process.stdout.write(JSON.stringify(answer) + '\n');
}
