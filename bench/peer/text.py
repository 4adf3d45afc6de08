"""PyTorch peer of bench/text.ts: the same BiLSTM + additive attention (embedding, packed BiLSTM, additive
pooling, linear), AdamW, on the same synthetic bucketed batches (lengths from argv), one epoch timed.
Prints one JSON line {"seconds": ...}."""
import json
import sys
import time

import torch
from torch import nn
from torch.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence

cfg = json.loads(sys.argv[1])
torch.set_num_threads(cfg["threads"])
torch.manual_seed(0)


class Net(nn.Module):
    def __init__(s, v, e, h, k):
        super().__init__()
        s.emb = nn.Embedding(v, e, padding_idx=0)
        s.lstm = nn.LSTM(e, h, batch_first=True, bidirectional=True)
        s.proj = nn.Linear(2 * h, h)
        s.v = nn.Parameter(torch.randn(h) * 0.1)
        s.head = nn.Linear(2 * h, k)

    def forward(s, ids):
        lengths = (ids != 0).sum(1)
        packed = pack_padded_sequence(s.emb(ids), lengths, batch_first=True, enforce_sorted=False)
        h, _ = pad_packed_sequence(s.lstm(packed)[0], batch_first=True, total_length=ids.shape[1])
        w = torch.tanh(s.proj(h)).matmul(s.v).masked_fill(ids == 0, float("-inf")).softmax(-1)
        return s.head((w.unsqueeze(1) @ h).squeeze(1))


net = Net(cfg["vocab"], cfg["dim"], cfg["dim"], 9)
opt = torch.optim.AdamW(net.parameters(), lr=1e-3)
g = torch.Generator().manual_seed(0)
batches = []
for lens in cfg["batches"]:
    ids = torch.zeros(len(lens), max(lens), dtype=torch.long)
    for r, n in enumerate(lens):
        ids[r, :n] = torch.randint(2, cfg["vocab"], (n,), generator=g)
    batches.append((ids, torch.randint(0, 9, (len(lens),), generator=g)))
t = time.perf_counter()
for ids, y in batches:
    opt.zero_grad()
    nn.functional.cross_entropy(net(ids), y).backward()
    opt.step()
print(json.dumps({"seconds": time.perf_counter() - t}))
