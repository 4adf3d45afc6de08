// --triton: the model repository entry Triton loads. config.pbtxt is parsed back and checked against the
// ONNX graph it sits beside: names, dtypes, dims without the batch axis (-1 where dynamic), batching.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { decodeModel, exportModel, tritonModelName, writeTritonRepository } from '../../src/export/index.js';
import { createModel } from '../../src/models/index.js';
import { manualSeed } from '../../src/tensor/index.js';

const dir = mkdtempSync(join(tmpdir(), 'medattn-triton-'));
after(() => rmSync(dir, { recursive: true, force: true }));

interface PbTensor {
  name: string;
  dataType: string;
  dims: number[];
}

/** The input/output lists of a config.pbtxt (protobuf text format), as Triton reads them. */
function parseTensors(text: string, section: 'input' | 'output'): PbTensor[] {
  const body = new RegExp(`^${section} \\[\\n([\\s\\S]*?)\\n\\]`, 'm').exec(text)?.[1] ?? '';
  return [...body.matchAll(/\{\s*name: "([^"]+)"\s*data_type: (\w+)\s*dims: \[([^\]]*)\]\s*\}/g)].map((m) => ({
    name: m[1],
    dataType: m[2],
    dims: m[3].split(',').map((d) => Number(d.trim())),
  }));
}

function graphDims(t: {
  type: { tensor_type: { shape: { dim: ({ dim_value?: number; dim_param?: string } | object)[] } } };
}) {
  return t.type.tensor_type.shape.dim.map((d) => ('dim_value' in d && d.dim_value ? d.dim_value : -1));
}

test('Triton repository entry for an Attention U-Net: config.pbtxt matches the ONNX graph', () => {
  manualSeed(0);
  const model = createModel('attention_unet', { inChannels: 3, numClasses: 1, features: [8, 16, 32] });
  model.eval();
  const exported = exportModel(model);
  const name = tritonModelName('drive run (2026-11-27)');
  assert.equal(name, 'drive_run_2026-11-27');
  const folder = writeTritonRepository(dir, name, exported);
  assert.equal(folder, join(dir, name));
  const text = readFileSync(join(folder, 'config.pbtxt'), 'utf8');
  const graph = decodeModel(readFileSync(join(folder, '1', 'model.onnx'))).graph;
  assert.match(text, /^name: "drive_run_2026-11-27"\nbackend: "onnxruntime"\nmax_batch_size: 32\n/);
  assert.match(
    text,
    /dynamic_batching \{\n {2}preferred_batch_size: \[ 4, 8, 16, 32 \]\n {2}max_queue_delay_microseconds: 100\n\}/,
  );
  assert.match(text, /instance_group \[\n {2}\{\n {4}kind: KIND_CPU\n {4}count: 1\n {2}\}\n\]/);
  const inputs = parseTensors(text, 'input');
  const outputs = parseTensors(text, 'output');
  assert.deepEqual(inputs, [{ name: 'image', dataType: 'TYPE_FP32', dims: [3, -1, -1] }]);
  assert.deepEqual(
    outputs.map((o) => o.name),
    ['logits', 'probability', 'attention/decoder.0.gate.spatial', 'attention/decoder.1.gate.spatial'],
  );
  // against the graph: same names, elem_type FLOAT, dims without the batch axis
  assert.deepEqual(
    graph.input.map((i) => ({ name: i.name, dataType: 'TYPE_FP32', dims: graphDims(i).slice(1) })),
    inputs,
  );
  assert.deepEqual(
    graph.output.map((o) => ({ name: o.name, dataType: 'TYPE_FP32', dims: graphDims(o).slice(1) })),
    outputs,
  );
  for (const t of [...graph.input, ...graph.output]) {
    assert.equal(t.type.tensor_type.elem_type, 1, `${t.name} is float32`);
    assert.equal('dim_param' in t.type.tensor_type.shape.dim[0] && t.type.tensor_type.shape.dim[0].dim_param, 'batch');
  }
  assert.deepEqual(outputs[0].dims, [1, -1, -1]);
});

test('Triton entry of a classifier has fixed dims; channel maps are [C]', () => {
  manualSeed(1);
  const model = createModel('attention_cnn', {});
  model.eval();
  const exported = exportModel(model, { inputShape: [1, 28, 28] });
  const folder = writeTritonRepository(dir, 'cnn', exported, { maxBatchSize: 8 });
  const text = readFileSync(join(folder, 'config.pbtxt'), 'utf8');
  assert.match(text, /max_batch_size: 8\n/);
  assert.match(text, /preferred_batch_size: \[ 4, 8 \]/);
  assert.deepEqual(parseTensors(text, 'input')[0].dims, [1, 28, 28]);
  assert.deepEqual(
    parseTensors(text, 'output').map((o) => [o.name, o.dims]),
    [
      ['logits', [2]],
      ['probabilities', [2]],
      ['attention/stages.0.attention.channel', [32]],
      ['attention/stages.1.attention.spatial', [1, 28, 28]],
      ['attention/stages.2.attention.spatial', [1, 28, 28]],
    ],
  );
});
