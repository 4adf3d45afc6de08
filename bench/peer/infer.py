"""PyTorch side of bench/infer.ts: eval-mode inference (torch.inference_mode) of the reference twins.

Builds every case given in argv[1] (JSON), warms each up twice, prints {"threads", "torch"} as one JSON line,
then serves rounds: each stdin line is a case name, answered by one JSON line with the ms of `reps` runs.
bench/infer.ts alternates these rounds with its own, so load drift on a shared machine hits both sides alike.
"""
import json
import sys
import time

import torch

sys.path.insert(0, __file__.rsplit("/", 1)[0])
from reference_models import AttentionCNN, AttentionUNet  # noqa: E402

args = json.loads(sys.argv[1])
torch.set_num_threads(args.get("threads", 2))
torch.manual_seed(0)
reps = args.get("reps", 5)
cases = {}
for case in args["cases"]:
    if case["model"] == "attention_cnn":
        model = AttentionCNN(case["config"])
    else:
        c = case["config"]
        model = AttentionUNet(in_channels=c["inChannels"], num_classes=c["numClasses"], features=tuple(c["features"]))
    model.eval()
    x = torch.randn(case["batch"], *case["input"])
    with torch.inference_mode():
        for _ in range(2):
            model(x)
    cases[case["name"]] = (model, x)
print(json.dumps({"threads": torch.get_num_threads(), "torch": torch.__version__}), flush=True)
for line in sys.stdin:
    model, x = cases[line.strip()]
    times = []
    with torch.inference_mode():
        for _ in range(reps):
            t = time.perf_counter()
            model(x)
            times.append((time.perf_counter() - t) * 1000)
    print(json.dumps(times), flush=True)
