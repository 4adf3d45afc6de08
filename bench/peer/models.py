"""PyTorch side of bench/models.ts: forward + backward (cross entropy) of the Attention U-Net, SA-UNet and
SE-ResNet-18 twins from reference_models.py, median of N after 2 warm-up runs.

Prints one JSON object: {case: {"ms": ..., "params": ...}, ..., "threads": ..., "torch": ...}.
"""
import json
import statistics
import sys
import time

import torch
import torch.nn.functional as F

sys.path.insert(0, __file__.rsplit("/", 1)[0])
from reference_models import AttentionUNet, ResNet, SAUNet  # noqa: E402

args = json.loads(sys.argv[1]) if len(sys.argv) > 1 else {}
threads = args.get("threads", 2)
reps = args.get("reps", 5)
torch.set_num_threads(threads)
torch.manual_seed(0)

CASES = {
    "attention_unet": lambda: (AttentionUNet(in_channels=1, num_classes=2), 8, (1, 128, 128), True),
    "sa_unet": lambda: (SAUNet(in_channels=1, num_classes=2), 16, (1, 96, 96), True),
    "se_resnet18": lambda: (ResNet(18, in_channels=1, num_classes=2, attention="se",
                                   small_input=args.get("smallStem", False)), 32, (1, 64, 64), False),
}


def timed(fn, n):
    for _ in range(2):
        fn()
    out = []
    for _ in range(n):
        t = time.perf_counter()
        fn()
        out.append((time.perf_counter() - t) * 1000)
    return statistics.median(out)


result = {"threads": torch.get_num_threads(), "torch": torch.__version__}
for name in args.get("cases", list(CASES)):
    model, batch, shape, dense = CASES[name]()
    model.train()
    x = torch.randn(batch, *shape)
    y = torch.randint(0, 2, (batch, *shape[1:]) if dense else (batch,))

    def step():
        model.zero_grad(set_to_none=True)
        F.cross_entropy(model(x), y).backward()

    result[name] = {"ms": timed(step, reps), "params": sum(p.numel() for p in model.parameters())}
print(json.dumps(result))
