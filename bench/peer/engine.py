"""PyTorch side of bench/engine.ts: the reference model, train step and inference, median of N after warm-up.

Prints one JSON object: {"train_ms": ..., "infer_ms": ..., "threads": ..., "channels_last": ...}.
"""
import json
import statistics
import sys
import time

import torch
import torch.nn.functional as F

sys.path.insert(0, __file__.rsplit("/", 1)[0])
from reference_models import AttentionCNN  # noqa: E402

args = json.loads(sys.argv[1]) if len(sys.argv) > 1 else {}
threads = args.get("threads", 2)
batch = args.get("batch", 32)
size = args.get("size", 64)
reps = args.get("reps", 20)
channels_last = args.get("channelsLast", True)
torch.set_num_threads(threads)
torch.manual_seed(0)

model = AttentionCNN()
x = torch.randn(batch, 1, size, size)
y = torch.randint(0, 2, (batch,))
if channels_last:
    model = model.to(memory_format=torch.channels_last)
    x = x.contiguous(memory_format=torch.channels_last)
opt = torch.optim.Adam(model.parameters(), lr=1e-3)


def train_step():
    opt.zero_grad(set_to_none=True)
    loss = F.cross_entropy(model(x), y)
    loss.backward()
    opt.step()


def timed(fn, reps):
    for _ in range(3):
        fn()
    out = []
    for _ in range(reps):
        t = time.perf_counter()
        fn()
        out.append((time.perf_counter() - t) * 1000)
    return statistics.median(out)


model.train()
train_ms = timed(train_step, reps)
model.eval()
with torch.no_grad():
    infer_ms = timed(lambda: model(x), reps)
print(json.dumps({"train_ms": train_ms, "infer_ms": infer_ms, "threads": torch.get_num_threads(),
                  "channels_last": channels_last, "torch": torch.__version__}))
