// safetensors: round-trip, exact layout, validation errors, atomic writes, and interoperability with
// PyTorch through a tiny independent reader/writer in /usr/bin/python3 (struct + json + numpy/torch; the
// `safetensors` Python package is not installed).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  SafetensorsError,
  decodeSafetensors,
  encodeSafetensors,
  readSafetensorsFile,
  safetensorFromArray,
  safetensorToArray,
  writeSafetensorsFile,
  type SafetensorRecord,
} from '../../src/tensor/safetensors.js';

const dir = mkdtempSync(join(tmpdir(), 'medattn-safetensors-'));
test.after(() => rmSync(dir, { recursive: true, force: true }));

const u16 = (...bits: number[]) => new Uint8Array(Uint16Array.from(bits).buffer);

/** One tensor of every dtype, with values whose bit patterns are known exactly. */
function sample(): Record<string, SafetensorRecord> {
  return {
    'encoder.weight': safetensorFromArray('F32', [2, 3], Float32Array.from([1.5, -2.25, 0, 3e-8, 1e20, -0.125])),
    'encoder.bias': safetensorFromArray('F64', [3], Float64Array.from([Math.PI, -1e-300, 2 ** 60])),
    steps: safetensorFromArray('I64', [2], BigInt64Array.from([-(2n ** 62n), 9007199254740993n])),
    'labels.idx': safetensorFromArray('I32', [2, 2], Int32Array.from([-7, 2147483647, 0, 42])),
    short: safetensorFromArray('I16', [3], Int16Array.from([-32768, 1, 32767])),
    tiny: safetensorFromArray('I8', [2], Int8Array.from([-128, 127])),
    pixels: safetensorFromArray('U8', [1, 4], Uint8Array.from([0, 1, 128, 255])),
    mask: { dtype: 'BOOL', shape: [3], data: Uint8Array.from([1, 0, 1]) },
    half: { dtype: 'F16', shape: [4], data: u16(0x3c00, 0xc000, 0x3800, 0x7bff) }, // 1, -2, 0.5, 65504
    brain: { dtype: 'BF16', shape: [2, 2], data: u16(0x3f80, 0xc000, 0x3f00, 0x4049) }, // 1, -2, 0.5, 3.140625
    scalar: safetensorFromArray('F32', [], Float32Array.from([7])),
    empty: safetensorFromArray('F32', [0, 4], new Float32Array(0)),
  };
}

function headerOf(bytes: Uint8Array): { length: number; text: string } {
  const length = Number(new DataView(bytes.buffer, bytes.byteOffset).getBigUint64(0, true));
  return { length, text: Buffer.from(bytes.subarray(8, 8 + length)).toString('utf8') };
}

test('exact bytes of a small file: compact JSON, space padding to 8, dtype-then-name order', () => {
  const bytes = encodeSafetensors({
    b: safetensorFromArray('U8', [3], Uint8Array.from([1, 2, 3])),
    a: safetensorFromArray('F32', [2], Float32Array.from([1, -2])),
  });
  const json =
    '{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"b":{"dtype":"U8","shape":[3],"data_offsets":[8,11]}}';
  assert.equal(json.length, 107);
  const { length, text } = headerOf(bytes);
  assert.equal(length, 112); // 107 rounded up to a multiple of 8
  assert.equal(text, json + '     ');
  assert.deepEqual(Array.from(bytes.subarray(8 + 112)), [0, 0, 0x80, 0x3f, 0, 0, 0, 0xc0, 1, 2, 3]);
  assert.equal(bytes.length, 8 + 112 + 11);
});

test('round-trip of every dtype with metadata; layout order follows the Rust library', () => {
  const tensors = sample();
  const bytes = encodeSafetensors(tensors, { format: 'pt', epoch: '12' });
  const { length, text } = headerOf(bytes);
  assert.equal(length % 8, 0);
  const header = JSON.parse(text);
  assert.deepEqual(Object.keys(header), [
    '__metadata__',
    'steps', // I64
    'encoder.bias', // F64
    'empty', // F32, by name
    'encoder.weight',
    'scalar',
    'labels.idx', // I32
    'brain', // BF16
    'half', // F16
    'short', // I16
    'tiny', // I8
    'pixels', // U8
    'mask', // BOOL
  ]);
  const back = decodeSafetensors(bytes);
  assert.deepEqual(back.metadata, { format: 'pt', epoch: '12' });
  assert.deepEqual(Object.keys(back.tensors).sort(), Object.keys(tensors).sort());
  for (const [name, t] of Object.entries(tensors)) {
    assert.equal(back.tensors[name].dtype, t.dtype, name);
    assert.deepEqual(back.tensors[name].shape, t.shape, name);
    assert.deepEqual(Array.from(back.tensors[name].data), Array.from(t.data), name);
  }
  assert.deepEqual(Array.from(safetensorToArray(back.tensors['encoder.bias'] as SafetensorRecord & { dtype: 'F64' })), [
    Math.PI,
    -1e-300,
    2 ** 60,
  ]);
  assert.deepEqual(Array.from(safetensorToArray(back.tensors.steps as SafetensorRecord & { dtype: 'I64' })), [
    -(2n ** 62n),
    9007199254740993n,
  ]);
});

/** Builds a file from a raw header string and data bytes (for the malformed cases). */
function raw(header: string, data: number[] = [], declared?: number): Uint8Array {
  const h = Buffer.from(header, 'utf8');
  const out = new Uint8Array(8 + h.length + data.length);
  new DataView(out.buffer).setBigUint64(0, BigInt(declared ?? h.length), true);
  out.set(h, 8);
  out.set(data, 8 + h.length);
  return out;
}

test('malformed files throw a one-line SafetensorsError naming the file and the problem', () => {
  const f32 = (offsets: number[], shape = [1]) => ({ dtype: 'F32', shape, data_offsets: offsets });
  const cases: [Uint8Array, RegExp][] = [
    [new Uint8Array(5), /^ckpt\.safetensors: file is 5 bytes, too short/],
    [raw('{}', [], 1e9), /header length 1000000000 exceeds the 100000000-byte limit/],
    [raw('{}', [], 50), /header length 50 runs past the end of the 10-byte file/],
    [raw('{"a": {"dtype": "F32",'), /malformed JSON header/],
    [raw('[1, 2]'), /malformed JSON header \(header does not start with "\{"\)/],
    [
      raw(JSON.stringify({ a: { dtype: 'F8', shape: [1], data_offsets: [0, 1] } }), [0]),
      /tensor 'a' has unknown dtype "F8"/,
    ],
    [
      raw(JSON.stringify({ a: f32([0, 8]) }), [0, 0, 0, 0]),
      /tensor 'a' data_offsets \[0, 8\] out of range of the 4-byte data section/,
    ],
    [raw(JSON.stringify({ a: f32([0, 8], [1]) }), new Array(8).fill(0)), /tensor 'a' spans 8 bytes, F32 \[1\] needs 4/],
    [raw(JSON.stringify({ a: f32([0, 4]), b: f32([2, 6]) }), new Array(6).fill(0)), /tensor 'b' overlaps tensor 'a'/],
    [raw(JSON.stringify({ a: f32([4, 8]) }), new Array(8).fill(0)), /data section has unused bytes \[0, 4\)/],
    [raw(JSON.stringify({ a: f32([0, 4]) }), new Array(6).fill(0)), /2 unused trailing bytes/],
    [raw(JSON.stringify({ a: f32([0, -4]) })), /invalid data_offsets \[0,-4\]/],
    [raw(JSON.stringify({ __metadata__: { n: 3 } })), /metadata 'n' is not a string/],
  ];
  for (const [bytes, pattern] of cases) {
    assert.throws(
      () => decodeSafetensors(bytes, 'ckpt.safetensors'),
      (e: unknown) => {
        assert.ok(e instanceof SafetensorsError, String(e));
        assert.equal(e.file, 'ckpt.safetensors');
        assert.ok(e.message.startsWith('ckpt.safetensors: '), e.message);
        assert.ok(!e.message.includes('\n'), e.message);
        assert.match(e.message, pattern);
        return true;
      },
    );
  }
  assert.throws(
    () => encodeSafetensors({ w: { dtype: 'F32', shape: [3], data: new Uint8Array(8) } }),
    /<buffer>: tensor 'w' has 8 bytes, F32 \[3\] needs 12/,
  );
  assert.throws(
    () => encodeSafetensors({ w: { dtype: 'Q4' as 'F32', shape: [], data: new Uint8Array(1) } }),
    /unknown dtype Q4/,
  );
});

test('writeSafetensorsFile is atomic: replaces the file, leaves no temp file, keeps the old file on failure', () => {
  const path = join(dir, 'model.safetensors');
  writeSafetensorsFile(path, { a: safetensorFromArray('F32', [1], Float32Array.from([1])) }, { v: '1' });
  writeSafetensorsFile(path, { a: safetensorFromArray('F32', [1], Float32Array.from([2])) }, { v: '2' });
  assert.deepEqual(readdirSync(dir), ['model.safetensors']);
  const back = readSafetensorsFile(path);
  assert.deepEqual(back.metadata, { v: '2' });
  assert.deepEqual(Array.from(safetensorToArray(back.tensors.a as SafetensorRecord & { dtype: 'F32' })), [2]);
  // A bad record is rejected before anything touches the disk.
  assert.throws(
    () => writeSafetensorsFile(path, { a: { dtype: 'F32', shape: [2], data: new Uint8Array(1) } }),
    new RegExp(`^SafetensorsError: ${path.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}: tensor 'a' has 1 bytes`),
  );
  // The rename fails (target is a non-empty directory): the temp file is removed, the error names the path.
  const blocked = join(dir, 'blocked.safetensors');
  mkdirSync(blocked);
  writeFileSync(join(blocked, 'keep'), 'x');
  assert.throws(() => writeSafetensorsFile(blocked, {}), /blocked\.safetensors: cannot write/);
  assert.deepEqual(readdirSync(dir).sort(), ['blocked.safetensors', 'model.safetensors']);
  assert.equal(readSafetensorsFile(path).metadata.v, '2');
  assert.throws(() => readSafetensorsFile(join(dir, 'missing.safetensors')), /missing\.safetensors: cannot read/);
});

const pythonScript = String.raw`
import json, struct, sys
import numpy as np
import torch

src, dst = sys.argv[1], sys.argv[2]

# --- independent reader: 8-byte LE length, JSON header, raw LE data ---
NP = {'F64': '<f8', 'F32': '<f4', 'F16': '<f2', 'I64': '<i8', 'I32': '<i4', 'I16': '<i2', 'I8': 'i1', 'U8': 'u1', 'BOOL': '?'}
blob = open(src, 'rb').read()
(n,) = struct.unpack('<Q', blob[:8])
header = json.loads(blob[8:8 + n].decode('utf-8'))
data = blob[8 + n:]
read = {'order': list(header.keys()), 'header_len': n, 'metadata': header.get('__metadata__'), 'tensors': {}}
for name, info in header.items():
    if name == '__metadata__':
        continue
    b, e = info['data_offsets']
    if info['dtype'] == 'BF16':
        t = torch.frombuffer(bytearray(data[b:e]), dtype=torch.bfloat16) if e > b else torch.zeros(0, dtype=torch.bfloat16)
        vals = t.float().reshape(info['shape']).numpy()
    else:
        vals = np.frombuffer(data[b:e], dtype=NP[info['dtype']]).reshape(info['shape'])
    flat = vals.ravel()
    read['tensors'][name] = {'dtype': info['dtype'], 'shape': list(vals.shape),
        'values': [str(int(v)) if info['dtype'] == 'I64' else (bool(v) if info['dtype'] == 'BOOL' else float(v)) for v in flat]}

# --- independent writer: hand-built from torch tensors, in this script's own (unsorted) order ---
tensors = {
    'conv.weight': torch.arange(24, dtype=torch.float32).reshape(2, 3, 4) / 8 - 1,
    'conv.bias': torch.tensor([0.1, -0.2], dtype=torch.float64),
    'counter': torch.tensor([[-5, 1 << 40]], dtype=torch.int64),
    'bf': torch.tensor([1.0, -3.5, 0.15625], dtype=torch.bfloat16),
    'hf': torch.tensor([0.333251953125, -1024.0], dtype=torch.float16),
    'flags': torch.tensor([True, False, False, True]),
    'ids': torch.tensor([3, -9], dtype=torch.int32),
}
DT = {torch.float32: 'F32', torch.float64: 'F64', torch.int64: 'I64', torch.bfloat16: 'BF16', torch.float16: 'F16', torch.bool: 'BOOL', torch.int32: 'I32'}
hdr, chunks, off = {'__metadata__': {'source': 'torch ' + torch.__version__}}, [], 0
for name, t in tensors.items():
    raw = (t.view(torch.int16) if t.dtype == torch.bfloat16 else t).contiguous().numpy().tobytes()
    hdr[name] = {'dtype': DT[t.dtype], 'shape': list(t.shape), 'data_offsets': [off, off + len(raw)]}
    chunks.append(raw); off += len(raw)
h = json.dumps(hdr).encode('utf-8')
h += b' ' * ((8 - len(h) % 8) % 8)
open(dst, 'wb').write(struct.pack('<Q', len(h)) + h + b''.join(chunks))
def plain(t):
    if t.dtype == torch.int64: return [str(v) for v in t.ravel().tolist()]
    if t.dtype == torch.bool: return [bool(v) for v in t.ravel().tolist()]
    return [float(v) for v in t.double().ravel().tolist()]
wrote = {name: {'shape': list(t.shape), 'values': plain(t)} for name, t in tensors.items()}
print(json.dumps({'read': read, 'wrote': wrote}))
`;

/** Our values in the same plain form the Python side prints (I64 as decimal strings, BOOL as booleans). */
function plainValues(t: SafetensorRecord): (number | string | boolean)[] {
  if (t.dtype === 'I64') return Array.from(safetensorToArray(t as SafetensorRecord & { dtype: 'I64' }), String);
  if (t.dtype === 'BOOL') return Array.from(t.data, (b) => b !== 0);
  if (t.dtype === 'F16' || t.dtype === 'BF16')
    return Array.from(
      safetensorToArray(t as SafetensorRecord & { dtype: 'F16' }),
      t.dtype === 'F16' ? halfToNumber : (b) => new Float32Array(new Uint32Array([b << 16]).buffer)[0],
    );
  return Array.from(safetensorToArray(t as SafetensorRecord & { dtype: 'F32' }) as ArrayLike<number>, Number);
}

function halfToNumber(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exp = (h >> 10) & 0x1f;
  const frac = h & 0x3ff;
  if (exp === 0) return sign * 2 ** -14 * (frac / 1024);
  if (exp === 31) return frac ? NaN : sign * Infinity;
  return sign * 2 ** (exp - 15) * (1 + frac / 1024);
}

test('interoperability with PyTorch: Python reads our file, we read a hand-built Python/torch file', () => {
  const ours = join(dir, 'ours.safetensors');
  const theirs = join(dir, 'theirs.safetensors');
  const tensors = sample();
  writeSafetensorsFile(ours, tensors, { format: 'pt' });
  const r = spawnSync('/usr/bin/python3', ['-c', pythonScript, ours, theirs], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  const { read, wrote } = JSON.parse(r.stdout);

  // Python's view of our file.
  assert.equal(read.header_len % 8, 0);
  assert.deepEqual(read.metadata, { format: 'pt' });
  assert.equal(read.order[0], '__metadata__');
  for (const [name, t] of Object.entries(tensors)) {
    assert.deepEqual(read.tensors[name].shape, t.shape, name);
    assert.deepEqual(read.tensors[name].values, plainValues(t), name);
  }
  assert.deepEqual(read.tensors.brain.values, [1, -2, 0.5, 3.140625]);
  assert.deepEqual(read.tensors.half.values, [1, -2, 0.5, 65504]);
  assert.deepEqual(read.tensors.steps.values, ['-4611686018427387904', '9007199254740993']);

  // Our view of Python's file.
  const back = readSafetensorsFile(theirs);
  assert.match(back.metadata.source, /^torch 1\./);
  assert.deepEqual(Object.keys(back.tensors).sort(), Object.keys(wrote).sort());
  for (const [name, w] of Object.entries(wrote as Record<string, { shape: number[]; values: unknown[] }>)) {
    assert.deepEqual(back.tensors[name].shape, w.shape, name);
    assert.deepEqual(plainValues(back.tensors[name]), w.values, name);
  }
  assert.deepEqual(plainValues(back.tensors.bf), [1, -3.5, 0.15625]);
  assert.deepEqual(plainValues(back.tensors.counter), ['-5', String(2 ** 40)]);
  assert.equal(back.tensors['conv.weight'].dtype, 'F32');
  assert.deepEqual(
    Array.from(safetensorToArray(back.tensors['conv.weight'] as SafetensorRecord & { dtype: 'F32' })).slice(0, 3),
    [-1, -0.875, -0.75],
  );
  // And our encoder re-encodes what we read into a file Python's layout-agnostic content equals.
  assert.deepEqual(decodeSafetensors(encodeSafetensors(back.tensors, back.metadata)), back);
  assert.ok(readFileSync(theirs).length > 8);
});
