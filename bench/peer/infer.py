"""PyTorch side of bench/infer.ts: eval-mode inference (torch.inference_mode) of the reference twins,
median ms of N after 2 warm-up runs per case.

Prints one JSON object: {case: ms, ..., "threads": ..., "torch": ...}.
"""
import json
import statistics
import sys
import time

import torch

sys.path.insert(0, __file__.rsplit("/", 1)[0])
from reference_models import AttentionCNN, AttentionUNet  # noqa: E402

args = json.loads(sys.argv[1])
torch.set_num_threads(args.get("threads", 2))
torch.manual_seed(0)
out = {"threads": torch.get_num_threads(), "torch": torch.__version__}
for case in args["cases"]:
    if case["model"] == "attention_cnn":
        model = AttentionCNN(case["config"])
    else:
        c = case["config"]
        model = AttentionUNet(in_channels=c["inChannels"], num_classes=c["numClasses"], features=tuple(c["features"]))
    model.eval()
    x = torch.randn(case["batch"], *case["input"])
    times = []
    with torch.inference_mode():
        for i in range(2 + args.get("reps", 5)):
            t = time.perf_counter()
            model(x)
            if i >= 2:
                times.append((time.perf_counter() - t) * 1000)
    out[case["name"]] = statistics.median(times)
print(json.dumps(out))
