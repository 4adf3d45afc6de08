// Parameter counts and outputs against PyTorch: torchvision's resnet18/34 and the twins in
// bench/peer/reference_models.py (SE-ResNet, U-Net, Attention U-Net). Weights move from Python to medattn
// as raw float32 + a JSON index (torch-parity.ts). Tolerance: 1e-4 absolute on the outputs (eval mode,
// randomised batch-norm statistics).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { noGrad, tidy } from '../../src/tensor/index.js';
import { AttentionUNet, ResNet, UNet, createModel, type UNetConfig } from '../../src/models/index.js';
import { maxAbsDiff, PYTHON, torchCases } from './torch-parity.js';

const TOL = 1e-4;
const peerDir = fileURLToPath(new URL('../../bench/peer', import.meta.url));

test('ResNet-18 matches torchvision (11,689,512 parameters; state dict loads; same outputs)', (t) => {
  const cases = torchCases(['resnet18', 'se_resnet18', 'attention_unet']);
  tidy(() =>
    noGrad(() => {
      const r18 = createModel('resnet18').eval();
      assert.equal(r18.numParameters(), 11_689_512);
      assert.equal(cases.resnet18.parameters, 11_689_512);
      const before = maxAbsDiff(r18.forward(cases.resnet18.inputs.x), cases.resnet18.outputs.y);
      assert.ok(before > 1e-2, 'different weights give different outputs');
      r18.loadStateDict(cases.resnet18.state);
      const d = maxAbsDiff(r18.forward(cases.resnet18.inputs.x), cases.resnet18.outputs.y);
      t.diagnostic(`resnet18 [2,3,64,64] -> [2,1000]: max abs diff ${d.toExponential(2)}`);
      assert.ok(d < TOL, `resnet18 max abs diff ${d}`);
      r18.dispose();

      const se = new ResNet({ depth: 18, inChannels: 1, numClasses: 3, attention: 'se', smallInput: true }).eval();
      assert.equal(se.numParameters(), cases.se_resnet18.parameters);
      se.loadStateDict(cases.se_resnet18.state);
      const d2 = maxAbsDiff(se.forward(cases.se_resnet18.inputs.x), cases.se_resnet18.outputs.y);
      t.diagnostic(`se_resnet18 (1 channel, small stem) [2,1,32,32]: max abs diff ${d2.toExponential(2)}`);
      assert.ok(d2 < TOL, `se_resnet18 max abs diff ${d2}`);
      se.dispose();

      const au = new AttentionUNet({ features: [8, 16, 32] }).eval();
      assert.equal(au.numParameters(), cases.attention_unet.parameters);
      au.loadStateDict(cases.attention_unet.state);
      const d3 = maxAbsDiff(au.forward(cases.attention_unet.inputs.x), cases.attention_unet.outputs.y);
      t.diagnostic(`attention_unet [2,1,32,24]: max abs diff ${d3.toExponential(2)}`);
      assert.ok(d3 < TOL, `attention_unet max abs diff ${d3}`);
      au.dispose();
    }),
  );
});

test('parameter counts equal the PyTorch implementations (torchvision, SE-ResNet and U-Net twins)', () => {
  const unetConfigs: Partial<UNetConfig>[] = [
    {},
    { spatialDims: 3, features: [16, 32, 64, 128], inChannels: 1, numClasses: 3 },
    { features: [8, 16, 32], norm: 'instance', deepSupervision: true },
    { features: [8, 16, 32, 64], norm: 'group', inChannels: 3 },
  ];
  const script = `
import json, sys
sys.path.insert(0, ${JSON.stringify(peerDir)})
import torchvision
from reference_models import ResNet, UNet
n = lambda m: sum(p.numel() for p in m.parameters())
cfgs = json.loads(sys.stdin.read())
out = {"tv18": n(torchvision.models.resnet18()), "tv34": n(torchvision.models.resnet34()),
       "se18": n(ResNet(18, attention="se")), "se34": n(ResNet(34, attention="se")),
       "se18g": n(ResNet(18, in_channels=1, num_classes=2, attention="se", small_input=True)),
       "cbam18": n(ResNet(18, attention="cbam")), "eca34": n(ResNet(34, attention="eca")),
       "unet": [], "att": []}
for c in cfgs:
    kw = dict(spatial_dims=c.get("spatialDims", 2), in_channels=c.get("inChannels", 1), num_classes=c.get("numClasses", 2),
              features=c.get("features", (32, 64, 128, 256, 512)), norm=c.get("norm", "batch"),
              deep_supervision=c.get("deepSupervision", False))
    out["unet"].append(n(UNet(**kw)))
    out["att"].append(n(UNet(attention_gates=True, **kw)))
print(json.dumps(out))`;
  const r = spawnSync(PYTHON, ['-c', script], { input: JSON.stringify(unetConfigs), encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  const ref = JSON.parse(r.stdout);
  const count = (m: { numParameters(): number; dispose(): void }) => {
    const n = m.numParameters();
    m.dispose();
    return n;
  };
  assert.equal(ref.tv18, 11_689_512);
  assert.equal(count(createModel('resnet18')), ref.tv18);
  assert.equal(count(createModel('resnet34')), ref.tv34);
  assert.equal(ref.tv34, 21_797_672);
  assert.equal(count(createModel('se_resnet18')), ref.se18);
  assert.equal(count(createModel('se_resnet34')), ref.se34);
  assert.equal(count(createModel('se_resnet18', { inChannels: 1, numClasses: 2, smallInput: true })), ref.se18g);
  assert.equal(count(createModel('resnet18', { attention: 'cbam' })), ref.cbam18);
  assert.equal(count(createModel('resnet34', { attention: 'eca' })), ref.eca34);
  unetConfigs.forEach((c, i) => {
    assert.equal(count(new UNet(c)), ref.unet[i], `unet ${JSON.stringify(c)}`);
    assert.equal(count(new AttentionUNet(c)), ref.att[i], `attention_unet ${JSON.stringify(c)}`);
  });
});
