"""PyTorch twins of medattn's models: same architecture, same parameter names, same initialisation order.

Used by the benchmarks (bench/*.ts spawn the peer with the same model) and by parity tests.
"""
import torch
import torch.nn as nn
import torch.nn.functional as F


class SqueezeExcitation(nn.Module):
    def __init__(self, channels, reduction=16, min_hidden=1):
        super().__init__()
        hidden = max(min_hidden, channels // reduction)
        self.fc1 = nn.Linear(channels, hidden)
        self.fc2 = nn.Linear(hidden, channels)

    def forward(self, x):
        s = x.mean(dim=tuple(range(2, x.dim())))
        w = torch.sigmoid(self.fc2(F.relu(self.fc1(s))))
        return x * w.reshape(*w.shape, *([1] * (x.dim() - 2)))


class CBAMChannel(nn.Module):
    def __init__(self, channels, reduction=16):
        super().__init__()
        hidden = max(1, channels // reduction)
        self.fc1 = nn.Linear(channels, hidden)
        self.fc2 = nn.Linear(hidden, channels)

    def forward(self, x):
        dims = tuple(range(2, x.dim()))
        mlp = lambda v: self.fc2(F.relu(self.fc1(v)))
        w = torch.sigmoid(mlp(x.mean(dim=dims)) + mlp(x.amax(dim=dims)))
        return x * w.reshape(*w.shape, *([1] * (x.dim() - 2)))


class CBAMSpatial(nn.Module):
    def __init__(self, channels, kernel_size=7):
        super().__init__()
        self.conv = nn.Conv2d(2, 1, kernel_size, padding=(kernel_size - 1) // 2, bias=False)

    def forward(self, x):
        pooled = torch.cat([x.mean(1, keepdim=True), x.amax(1, keepdim=True)], 1)
        return x * torch.sigmoid(self.conv(pooled))


class CBAM(nn.Module):
    def __init__(self, channels, reduction=16, kernel_size=7):
        super().__init__()
        self.channel_gate = CBAMChannel(channels, reduction)
        self.spatial_gate = CBAMSpatial(channels, kernel_size)

    def forward(self, x):
        return self.spatial_gate(self.channel_gate(x))


class NonLocal(nn.Module):
    def __init__(self, channels, inner=None):
        super().__init__()
        self.inner = inner or max(1, channels // 2)
        self.theta = nn.Conv2d(channels, self.inner, 1)
        self.phi = nn.Conv2d(channels, self.inner, 1)
        self.g = nn.Conv2d(channels, self.inner, 1)
        self.out = nn.Conv2d(self.inner, channels, 1)
        self.gamma = nn.Parameter(torch.zeros(1))

    def forward(self, x):
        n, c, h, w = x.shape
        p = h * w
        q = self.theta(x).reshape(n, self.inner, p).transpose(1, 2)
        k = self.phi(x).reshape(n, self.inner, p)
        v = self.g(x).reshape(n, self.inner, p).transpose(1, 2)
        weights = torch.softmax(q @ k, -1)
        y = (weights @ v).transpose(1, 2).reshape(n, self.inner, h, w)
        return x + self.out(y) * self.gamma


def create_attention(name, channels, reduction=8, kernel_size=7):
    return {
        "none": lambda: nn.Identity(),
        "se": lambda: SqueezeExcitation(channels, reduction),
        "cbam": lambda: CBAM(channels, reduction, kernel_size),
        "cbam_channel": lambda: CBAMChannel(channels, reduction),
        "cbam_spatial": lambda: CBAMSpatial(channels, kernel_size),
        "nonlocal": lambda: NonLocal(channels),
    }[name]()


class Stage(nn.Module):
    def __init__(self, cin, spec, reduction, kernel):
        super().__init__()
        k = spec.get("kernelSize", 3)
        n = spec.get("convs", 1)
        c = spec["channels"]
        self.convs = nn.ModuleList()
        self.norms = nn.ModuleList()
        for i in range(n):
            self.convs.append(nn.Conv2d(cin if i == 0 else c, c, k, padding=(k - 1) // 2, bias=False))
            self.norms.append(nn.BatchNorm2d(c))
        self.attention = create_attention(spec["attention"], c, reduction, kernel)
        self.pool = spec.get("pool", True)

    def forward(self, x):
        for conv, norm in zip(self.convs, self.norms):
            x = F.relu(norm(conv(x)))
        x = self.attention(x)
        return F.max_pool2d(x, 2) if self.pool else x


REFERENCE_CNN = {
    "inChannels": 1,
    "numClasses": 2,
    "stages": [
        {"channels": 32, "attention": "se"},
        {"channels": 64, "attention": "cbam_spatial"},
        {"channels": 128, "attention": "nonlocal"},
    ],
    "dropout": 0.2,
    "reduction": 8,
    "spatialKernel": 7,
}


class AttentionCNN(nn.Module):
    def __init__(self, config=REFERENCE_CNN):
        super().__init__()
        self.stages = nn.ModuleList()
        c = config["inChannels"]
        for spec in config["stages"]:
            self.stages.append(Stage(c, spec, config.get("reduction", 8), config.get("spatialKernel", 7)))
            c = spec["channels"]
        self.dropout = nn.Dropout(config.get("dropout", 0))
        self.head = nn.Linear(c, config["numClasses"])

    def forward(self, x):
        for s in self.stages:
            x = s(x)
        return self.head(self.dropout(x.mean(dim=(2, 3))))
