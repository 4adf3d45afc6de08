"""PyTorch twins of medattn's models: same architecture, same parameter names, same initialisation order.

Used by the benchmarks (bench/*.ts spawn the peer with the same model) and by parity tests.
"""
import math

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


# ---------------------------------------------------------------------------------------------------------
# Attention blocks added with issue 4 (same parameter names as src/nn/attention).

class ECA(nn.Module):
    def __init__(self, channels, kernel_size=None, gamma=2, b=1):
        super().__init__()
        if kernel_size is None:
            t = int(abs((math.log2(channels) + b) / gamma))
            kernel_size = t if t % 2 else t + 1
        self.conv = nn.Conv1d(1, 1, kernel_size, padding=(kernel_size - 1) // 2, bias=False)

    def forward(self, x):
        s = x.mean(dim=tuple(range(2, x.dim())))
        w = torch.sigmoid(self.conv(s.unsqueeze(1)).squeeze(1))
        return x * w.reshape(*w.shape, *([1] * (x.dim() - 2)))


class SCSE(nn.Module):
    def __init__(self, channels, reduction=16, spatial_dims=2):
        super().__init__()
        hidden = max(1, channels // reduction)
        self.fc1 = nn.Linear(channels, hidden)
        self.fc2 = nn.Linear(hidden, channels)
        self.spatial = (nn.Conv3d if spatial_dims == 3 else nn.Conv2d)(channels, 1, 1)

    def forward(self, x):
        c = torch.sigmoid(self.fc2(F.relu(self.fc1(x.mean(dim=tuple(range(2, x.dim())))))))
        s = torch.sigmoid(self.spatial(x))
        return x * (c.reshape(*c.shape, *([1] * (x.dim() - 2))) + s)


class AttentionGate(nn.Module):
    """Oktay et al. 2018: theta (strided) on the skip, phi on the coarse gating signal, psi, sigmoid, resample."""

    def __init__(self, channels, gating_channels=None, inner_channels=None, subsample=2, spatial_dims=2):
        super().__init__()
        conv = nn.Conv3d if spatial_dims == 3 else nn.Conv2d
        bn = nn.BatchNorm3d if spatial_dims == 3 else nn.BatchNorm2d
        gating_channels = gating_channels or channels
        inner = inner_channels or max(1, channels // 2)
        self.mode = "trilinear" if spatial_dims == 3 else "bilinear"
        self.theta = conv(channels, inner, subsample, stride=subsample, bias=False)
        self.phi = conv(gating_channels, inner, 1)
        self.psi = conv(inner, 1, 1)
        self.W = nn.Sequential(conv(channels, channels, 1), bn(channels))

    def forward(self, x, g):
        theta_x = self.theta(x)
        phi_g = self.phi(g)
        if phi_g.shape[2:] != theta_x.shape[2:]:
            phi_g = F.interpolate(phi_g, size=theta_x.shape[2:], mode=self.mode, align_corners=False)
        q = self.psi(F.relu(theta_x + phi_g))
        alpha = F.interpolate(torch.sigmoid(q), size=x.shape[2:], mode=self.mode, align_corners=False)
        return self.W(x * alpha)


def create_block(name, channels, reduction=16, kernel_size=7):
    """create_attention with the SE paper's default reduction (used by the ResNet twins)."""
    return {
        "none": lambda: nn.Identity(),
        "se": lambda: SqueezeExcitation(channels, reduction),
        "eca": lambda: ECA(channels),
        "scse": lambda: SCSE(channels, reduction),
        "cbam": lambda: CBAM(channels, reduction, kernel_size),
        "cbam_channel": lambda: CBAMChannel(channels, reduction),
        "cbam_spatial": lambda: CBAMSpatial(channels, kernel_size),
        "nonlocal": lambda: NonLocal(channels),
    }[name]()


# ---------------------------------------------------------------------------------------------------------
# ResNet / SE-ResNet (torchvision names; SE after bn2 as `se`), src/models/resnet.ts

class BasicBlock(nn.Module):
    def __init__(self, cin, cout, stride, attention="none", reduction=16):
        super().__init__()
        self.conv1 = nn.Conv2d(cin, cout, 3, stride, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(cout)
        self.conv2 = nn.Conv2d(cout, cout, 3, 1, 1, bias=False)
        self.bn2 = nn.BatchNorm2d(cout)
        self.se = None if attention == "none" else create_block(attention, cout, reduction)
        self.downsample = None
        if stride != 1 or cin != cout:
            self.downsample = nn.Sequential(nn.Conv2d(cin, cout, 1, stride, bias=False), nn.BatchNorm2d(cout))

    def forward(self, x):
        out = F.relu(self.bn1(self.conv1(x)))
        out = self.bn2(self.conv2(out))
        if self.se is not None:
            out = self.se(out)
        identity = x if self.downsample is None else self.downsample(x)
        return F.relu(out + identity)


class ResNet(nn.Module):
    def __init__(self, depth=18, in_channels=3, num_classes=1000, attention="none", reduction=16, small_input=False,
                 widths=(64, 128, 256, 512)):
        super().__init__()
        self.small_input = small_input
        if small_input:
            self.conv1 = nn.Conv2d(in_channels, widths[0], 3, 1, 1, bias=False)
        else:
            self.conv1 = nn.Conv2d(in_channels, widths[0], 7, 2, 3, bias=False)
        self.bn1 = nn.BatchNorm2d(widths[0])
        cin = widths[0]
        for stage, n in enumerate({18: [2, 2, 2, 2], 34: [3, 4, 6, 3]}[depth]):
            blocks = []
            for i in range(n):
                blocks.append(BasicBlock(cin, widths[stage], 2 if i == 0 and stage > 0 else 1, attention, reduction))
                cin = widths[stage]
            setattr(self, f"layer{stage + 1}", nn.Sequential(*blocks))
        self.fc = nn.Linear(cin, num_classes)
        for m in self.modules():
            if isinstance(m, nn.Conv2d):
                nn.init.kaiming_normal_(m.weight, mode="fan_out", nonlinearity="relu")

    def forward(self, x):
        x = F.relu(self.bn1(self.conv1(x)))
        if not self.small_input:
            x = F.max_pool2d(x, 3, 2, 1)
        for i in range(1, 5):
            x = getattr(self, f"layer{i}")(x)
        return self.fc(x.mean(dim=(2, 3)))


# ---------------------------------------------------------------------------------------------------------
# U-Net / Attention U-Net, src/models/unet.ts

def _norm(kind, c, dims):
    if kind == "instance":
        return (nn.InstanceNorm3d if dims == 3 else nn.InstanceNorm2d)(c, affine=True)
    if kind == "group":
        return nn.GroupNorm(min(8, c), c)
    return (nn.BatchNorm3d if dims == 3 else nn.BatchNorm2d)(c)


class DropBlock(nn.Module):
    """DropBlock as the SA-UNet reimplementations write it: seeds at rate gamma grown into blocks by a stride-1
    max_pool2d, rescaled by numel / kept (src/nn/layers/drop-block.ts)."""

    def __init__(self, drop_prob, block_size):
        super().__init__()
        self.drop_prob, self.block_size = drop_prob, block_size

    def forward(self, x):
        if not self.training or self.drop_prob == 0:
            return x
        h, w = x.shape[2:]
        b = min(self.block_size, h, w)
        gamma = self.drop_prob / (b * b) * (h * w) / ((h - b + 1) * (w - b + 1))
        seeds = (torch.rand_like(x) < gamma).float()
        keep = 1 - F.max_pool2d(seeds, self.block_size, stride=1, padding=(self.block_size - 1) // 2)
        return x * keep * (keep.numel() / keep.sum().clamp(min=1))


class DoubleConv(nn.Module):
    def __init__(self, dims, cin, cout, norm="batch", drop_block=None):
        super().__init__()
        conv = nn.Conv3d if dims == 3 else nn.Conv2d
        bias = norm == "instance"
        self.conv1 = conv(cin, cout, 3, padding=1, bias=bias)
        self.norm1 = _norm(norm, cout, dims)
        self.conv2 = conv(cout, cout, 3, padding=1, bias=bias)
        self.norm2 = _norm(norm, cout, dims)
        self.drop1 = DropBlock(*drop_block) if drop_block else nn.Identity()
        self.drop2 = DropBlock(*drop_block) if drop_block else nn.Identity()

    def forward(self, x):
        x = F.relu(self.norm1(self.drop1(self.conv1(x))))
        return F.relu(self.norm2(self.drop2(self.conv2(x))))


class UpBlock(nn.Module):
    def __init__(self, dims, cin, cout, norm="batch", attention_gates=False, drop_block=None):
        super().__init__()
        self.up = (nn.ConvTranspose3d if dims == 3 else nn.ConvTranspose2d)(cin, cout, 2, stride=2)
        self.gate = AttentionGate(cout, cin, max(1, cout // 2), spatial_dims=dims) if attention_gates else None
        self.conv = DoubleConv(dims, 2 * cout, cout, norm, drop_block)

    def forward(self, coarse, skip):
        gated = skip if self.gate is None else self.gate(skip, coarse)
        up = self.up(coarse)
        if up.shape[2:] != skip.shape[2:]:
            up = F.interpolate(up, size=skip.shape[2:], mode="nearest")
        return self.conv(torch.cat([gated, up], 1))


class UNet(nn.Module):
    def __init__(self, spatial_dims=2, in_channels=1, num_classes=2, features=(32, 64, 128, 256, 512), norm="batch",
                 deep_supervision=False, attention_gates=False, drop_block=None, bottleneck_spatial=False):
        super().__init__()
        self.dims = spatial_dims
        conv = nn.Conv3d if spatial_dims == 3 else nn.Conv2d
        f = list(features)
        self.encoder = nn.ModuleList(
            [DoubleConv(spatial_dims, in_channels if i == 0 else f[i - 1], c, norm, drop_block)
             for i, c in enumerate(f)])
        self.bottleneck = CBAMSpatial(f[-1]) if bottleneck_spatial else nn.Identity()
        self.decoder = nn.ModuleList(
            [UpBlock(spatial_dims, f[i], f[i - 1], norm, attention_gates, drop_block)
             for i in range(len(f) - 1, 0, -1)])
        self.head = conv(f[0], num_classes, 1)
        if deep_supervision:
            self.aux_heads = nn.ModuleList([conv(f[i - 1], num_classes, 1) for i in range(len(f) - 1, 1, -1)])

    def forward(self, x):
        pool = F.max_pool3d if self.dims == 3 else F.max_pool2d
        skips = []
        for i, block in enumerate(self.encoder):
            x = block(x if i == 0 else pool(x, 2))
            skips.append(x)
        x = skips[-1] = self.bottleneck(x)
        for i, block in enumerate(self.decoder):
            x = block(x, skips[-2 - i])
        return self.head(x)


def AttentionUNet(**kw):
    return UNet(attention_gates=True, **kw)


def SAUNet(**kw):
    """src/models/sa-unet.ts: features 16-128, DropBlock (0.18, 7) after every 3x3 conv, spatial attention on
    the bottleneck."""
    return UNet(features=(16, 32, 64, 128), drop_block=(0.18, 7), bottleneck_spatial=True, **kw)
