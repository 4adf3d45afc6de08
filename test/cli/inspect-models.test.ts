// `medattn inspect` and `medattn models` through the command line.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cliRunner } from '../helpers/cli.js';

const run = cliRunner();
const CT = '/usr/lib/python3/dist-packages/pydicom/data/test_files/CT_small.dcm';

test('inspect --json describes a DICOM file without patient identifiers unless --phi', () => {
  const r = run('inspect', CT, '--json');
  assert.equal(r.code, 0, r.stderr);
  const info = JSON.parse(r.stdout);
  assert.equal(info.format, 'dicom');
  assert.equal(info.modality, 'CT');
  assert.deepEqual(info.dimensions, [1, 128, 128]);
  assert.ok(!/CompressedSamples|Anonymized|patient/i.test(JSON.stringify(info)), r.stdout);
  const phi = JSON.parse(run('inspect', CT, '--json', '--phi').stdout);
  assert.ok(JSON.stringify(phi).includes('CompressedSamples^CT1'));
});

test('models --json lists every network and block with parameter counts', () => {
  const r = run('models', '--json');
  assert.equal(r.code, 0, r.stderr);
  const catalog = JSON.parse(r.stdout);
  const resnet18 = catalog.models.find((m: { name: string }) => m.name === 'resnet18');
  assert.equal(resnet18.parameters, 11_689_512);
  assert.ok(catalog.blocks.some((b: { name: string }) => b.name === 'cbam'));
});
