"""PyTorch side of bench/train.ts: one training epoch of the default PneumoniaMNIST or DRIVE config written
with torch and torchvision (same model, batch size, optimizer, loss and augmentations, DataLoader with the
same number of worker processes, channels-last when the config asks). Prints {"epoch_s": ..., "first_batch_s": ...,
"batches": ...}.
"""
import json, math, random, sys, time
import numpy as np
import torch
import torch.nn.functional as F
import torchvision.transforms.functional as TF
from torch.utils.data import DataLoader, Dataset

sys.path.insert(0, __file__.rsplit("/", 1)[0])
from reference_models import AttentionCNN, UNet  # noqa: E402

args = json.loads(sys.argv[1])
cfg = args["config"]
torch.set_num_threads(args.get("threads", 2))
torch.manual_seed(0)
random.seed(0)
train = cfg["training"]


class Pneumonia(Dataset):
    def __init__(self, path):
        z = np.load(path)
        self.x = z["train_images"]
        self.y = z["train_labels"][:, 0].astype(np.int64)

    def __len__(self):
        return len(self.x)

    def __getitem__(self, i):
        img = torch.from_numpy(self.x[i]).float().div(255).unsqueeze(0)
        if random.random() < 0.8:
            img = TF.affine(img, angle=random.uniform(-10, 10), translate=[random.uniform(-2, 2), random.uniform(-2, 2)],
                            scale=1 + random.uniform(-0.1, 0.1), shear=[0.0], interpolation=TF.InterpolationMode.BILINEAR)
        if random.random() < 0.5:
            img = img + random.uniform(-0.1, 0.1)
        return (img - 0.5) / 0.25, self.y[i]


class Drive(Dataset):
    def __init__(self, root, ids, reps):
        from PIL import Image
        self.items = []
        for i in ids:
            img = np.asarray(Image.open(f"{root}/images/{i}_training.tif"), dtype=np.uint8).transpose(2, 0, 1)
            mask = (np.asarray(Image.open(f"{root}/1st_manual/{i}_manual1.gif")) > 127).astype(np.uint8)
            roi = (np.asarray(Image.open(f"{root}/mask/{i}_training_mask.gif")) > 127).astype(np.uint8)
            self.items.append((img, mask, roi))
        self.n = len(self.items) * reps

    def __len__(self):
        return self.n

    def __getitem__(self, k):
        img, mask, roi = self.items[k % len(self.items)]
        h, w = mask.shape
        if random.random() < 0.5:
            ys, xs = np.nonzero(mask)
            j = random.randrange(len(ys))
            cy, cx = min(max(ys[j] - 48, 0), h - 96), min(max(xs[j] - 48, 0), w - 96)
        else:
            cy, cx = random.randrange(h - 95), random.randrange(w - 95)
        x = torch.from_numpy(img[:, cy:cy + 96, cx:cx + 96].copy()).float().div(255)
        m = torch.from_numpy(np.stack([mask, roi])[:, cy:cy + 96, cx:cx + 96].copy()).float()
        if random.random() < 0.3:
            x = x.clamp(min=0) ** random.uniform(0.8, 1.25)
        x = (x - 0.5) / 0.25
        for axis in (1, 2):
            if random.random() < 0.5:
                x, m = x.flip(axis), m.flip(axis)
        k = random.randrange(4)
        x, m = torch.rot90(x, k, (1, 2)), torch.rot90(m, k, (1, 2))
        if random.random() < 0.5:
            a, s = random.uniform(-15, 15), 1 + random.uniform(-0.1, 0.1)
            x = TF.affine(x, angle=a, translate=[0, 0], scale=s, shear=[0.0], interpolation=TF.InterpolationMode.BILINEAR)
            m = TF.affine(m, angle=a, translate=[0, 0], scale=s, shear=[0.0], interpolation=TF.InterpolationMode.NEAREST)
        return x, m[:1], m[1:]


def dice_bce(logits, y, roi):
    p = torch.sigmoid(logits) * roi
    t = y * roi
    dice = 1 - (2 * (p * t).sum() + 1) / (p.sum() + t.sum() + 1)
    bce = (F.binary_cross_entropy_with_logits(logits, y, reduction="none") * roi).sum() / roi.sum().clamp(min=1)
    return dice + bce


if cfg["task"] == "classification":
    ds = Pneumonia(args["npz"])
    mc = cfg["model"]["config"]
    model = AttentionCNN(mc)
    counts = np.bincount(ds.y)
    weights = torch.tensor(len(ds.y) / (len(counts) * counts), dtype=torch.float32)
    loss_fn = lambda out, batch: F.cross_entropy(out, batch[1], weight=weights)
else:
    # the config's training cases and patches per case per epoch (data.train is a subset of the pairs dataset)
    subset = cfg["data"]["train"]
    ds = Drive(args["drive"], subset["of"]["ids"], subset.get("repeat", 1))
    mc = cfg["model"]["config"]
    model = UNet(in_channels=mc["inChannels"], num_classes=mc["numClasses"], features=mc["features"], attention_gates=True)
    loss_fn = lambda out, batch: dice_bce(out, batch[1], batch[2])

channels_last = train.get("channelsLast", False)
if channels_last:
    model = model.to(memory_format=torch.channels_last)
opt = torch.optim.AdamW(model.parameters(), lr=cfg["optimizer"]["lr"], weight_decay=cfg["optimizer"]["weightDecay"])
loader = DataLoader(ds, batch_size=train["batchSize"], shuffle=True, drop_last=True, num_workers=train.get("workers", 1))
model.train()
start = time.perf_counter()
first_batch = None
batches = 0
for batch in loader:
    opt.zero_grad(set_to_none=True)
    x = batch[0].contiguous(memory_format=torch.channels_last) if channels_last else batch[0]
    out = model(x)
    loss = loss_fn(out, batch)
    loss.backward()
    opt.step()
    batches += 1
    if first_batch is None:
        first_batch = time.perf_counter() - start
print(json.dumps({"epoch_s": time.perf_counter() - start, "first_batch_s": first_batch, "batches": batches}))
