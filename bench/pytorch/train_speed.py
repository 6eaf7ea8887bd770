#!/usr/bin/python3
"""Training speed of Maskbench's four classifiers in PyTorch, the yardstick for the tfjs backends.

The architectures twin src/core/training/models exactly: same layers, same weight counts at the same
input size (checked by --params against modelCost). Only the layout differs (NCHW here, NHWC in tfjs),
and TensorFlow pads stride-2 'same' convolutions bottom/right where PyTorch pads evenly; neither changes
a shape, a weight count or a FLOP.

Training is SGD (momentum 0.9, lr 0.01) with cross-entropy on random data, as the study trained; a
model's softmax is folded into the loss, as PyTorch does it. Standard library and torch only, so it runs
with Debian's python3-torch:

    /usr/bin/python3 bench/pytorch/train_speed.py --model conv-bn --size 64 --batch 32 --threads 2
    /usr/bin/python3 bench/pytorch/train_speed.py --params --size 64 --classes 3

prints one JSON line. "params" counts what tf.LayersModel.countParams() counts, batch norm's running
mean and variance included; "trainableParams" is PyTorch's usual sum over model.parameters().

Two things skew the figures. With 2 threads on a 2-core machine, any other busy process stalls the
OpenMP team at every barrier (ResNet-50 drops from ~70 to ~5 img/s): look at "runs" and at "cpuUse",
the CPU seconds the process got per wall second and thread (near 1 when it had the cores to itself).
With 1 thread and a batch under 16, PyTorch 1.13 runs unstrided 1x1 convolutions (most of ResNet-50)
on its native path instead of oneDNN, i.e. on the system BLAS, which on Debian is the slow reference
libblas unless OpenBLAS is installed.
"""

import argparse
import json
import statistics
import sys
import time

import torch
from torch import nn

MODEL_NAMES = ("simple-conv", "conv-bn", "lenet5", "resnet50")
MIN_SIZE = {"simple-conv": 8, "conv-bn": 8, "lenet5": 16, "resnet50": 32}

# tfjs's settings in build.ts are PyTorch's defaults (tf momentum 0.9 == torch momentum 0.1), spelt out.
def batch_norm(channels):
    return nn.BatchNorm2d(channels, eps=1e-5, momentum=0.1)


class SmallConvNet(nn.Module):
    """simple-conv and conv-bn: 3 x [3x3 conv 'same' (+ BN) + ReLU, 2x2 max pool] with 16/32/64 filters,
    dense 64 ReLU, dense classes."""

    def __init__(self, size, classes, batch_norm_after_conv):
        super().__init__()
        layers, channels = [], 3
        for filters in (16, 32, 64):
            layers.append(nn.Conv2d(channels, filters, 3, padding=1, bias=True))
            if batch_norm_after_conv:
                layers.append(batch_norm(filters))
            layers += [nn.ReLU(inplace=True), nn.MaxPool2d(2)]
            channels = filters
        side = size // 2 // 2 // 2
        self.features = nn.Sequential(*layers)
        self.classifier = nn.Sequential(nn.Flatten(), nn.Linear(64 * side * side, 64), nn.ReLU(inplace=True), nn.Linear(64, classes))

    def forward(self, x):
        return self.classifier(self.features(x))


class LeNet5(nn.Module):
    """LeCun et al. 1998 on colour input: 5x5x6 tanh, avg pool, 5x5x16 tanh, avg pool, 120, 84, classes."""

    def __init__(self, size, classes):
        super().__init__()
        side = ((size - 4) // 2 - 4) // 2
        self.features = nn.Sequential(
            nn.Conv2d(3, 6, 5), nn.Tanh(), nn.AvgPool2d(2),
            nn.Conv2d(6, 16, 5), nn.Tanh(), nn.AvgPool2d(2),
        )
        self.classifier = nn.Sequential(
            nn.Flatten(), nn.Linear(16 * side * side, 120), nn.Tanh(), nn.Linear(120, 84), nn.Tanh(), nn.Linear(84, classes),
        )

    def forward(self, x):
        return self.classifier(self.features(x))


class Bottleneck(nn.Module):
    """torchvision's: the stride on the 3x3 conv, a 1x1 conv + BN projection when the shape changes."""

    expansion = 4

    def __init__(self, in_channels, width, stride, project):
        super().__init__()
        out = width * self.expansion
        self.conv1, self.bn1 = nn.Conv2d(in_channels, width, 1, bias=False), batch_norm(width)
        self.conv2, self.bn2 = nn.Conv2d(width, width, 3, stride=stride, padding=1, bias=False), batch_norm(width)
        self.conv3, self.bn3 = nn.Conv2d(width, out, 1, bias=False), batch_norm(out)
        self.relu = nn.ReLU(inplace=True)
        self.downsample = nn.Sequential(nn.Conv2d(in_channels, out, 1, stride=stride, bias=False), batch_norm(out)) if project else None

    def forward(self, x):
        y = self.relu(self.bn1(self.conv1(x)))
        y = self.relu(self.bn2(self.conv2(y)))
        y = self.bn3(self.conv3(y))
        return self.relu(y + (self.downsample(x) if self.downsample is not None else x))


class ResNet50(nn.Module):
    """He et al. 2016, as torchvision.models.resnet50 with `classes` outputs."""

    def __init__(self, classes):
        super().__init__()
        self.stem = nn.Sequential(
            nn.Conv2d(3, 64, 7, stride=2, padding=3, bias=False), batch_norm(64), nn.ReLU(inplace=True),
            nn.MaxPool2d(3, stride=2, padding=1),
        )
        blocks, channels = [], 64
        for stage, (width, count) in enumerate(((64, 3), (128, 4), (256, 6), (512, 3))):
            for block in range(count):
                stride = 2 if block == 0 and stage > 0 else 1
                blocks.append(Bottleneck(channels, width, stride, project=block == 0))
                channels = width * Bottleneck.expansion
        self.stages = nn.Sequential(*blocks)
        self.pool = nn.AdaptiveAvgPool2d(1)
        self.fc = nn.Linear(channels, classes)

    def forward(self, x):
        return self.fc(torch.flatten(self.pool(self.stages(self.stem(x))), 1))


def build(name, size, classes):
    if name not in MODEL_NAMES:
        raise SystemExit(f"unknown model {name!r}; the models are {', '.join(MODEL_NAMES)}")
    if size < MIN_SIZE[name]:
        raise SystemExit(f"{name} needs inputs of at least {MIN_SIZE[name]} px; {size} px is too small")
    if name == "simple-conv":
        return SmallConvNet(size, classes, batch_norm_after_conv=False)
    if name == "conv-bn":
        return SmallConvNet(size, classes, batch_norm_after_conv=True)
    if name == "lenet5":
        return LeNet5(size, classes)
    return ResNet50(classes)


def count_params(model):
    """(as tfjs counts them, trainable): tfjs also counts batch norm's moving mean and variance."""
    trainable = sum(p.numel() for p in model.parameters())
    running = sum(b.numel() for name, b in model.named_buffers() if name.endswith(("running_mean", "running_var")))
    return trainable + running, trainable


def images_per_second(model, size, batch, classes, steps, warmup, repeats):
    """Median over repeats of batch * steps / seconds, after warm-up steps (allocations, oneDNN kernels)."""
    model.train()
    optimizer = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9)
    loss_fn = nn.CrossEntropyLoss()
    # A few random batches made up front, so data generation stays out of the timing.
    batches = [(torch.randn(batch, 3, size, size), torch.randint(0, classes, (batch,))) for _ in range(4)]

    def step(i):
        images, labels = batches[i % len(batches)]
        optimizer.zero_grad(set_to_none=True)
        loss = loss_fn(model(images), labels)
        loss.backward()
        optimizer.step()
        return loss

    for i in range(warmup):
        step(i)
    rates, cpu_use = [], []
    for _ in range(repeats):
        start, start_cpu = time.perf_counter(), time.process_time()
        for i in range(steps):
            loss = step(i)
        loss.item()
        seconds = time.perf_counter() - start
        rates.append(batch * steps / seconds)
        cpu_use.append((time.process_time() - start_cpu) / seconds / torch.get_num_threads())
    return statistics.median(rates), rates, statistics.median(cpu_use)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--model", choices=MODEL_NAMES)
    parser.add_argument("--size", type=int, default=64, help="square input side in px (default 64)")
    parser.add_argument("--batch", type=int, default=32)
    parser.add_argument("--classes", type=int, default=3)
    parser.add_argument("--steps", type=int, default=20, help="timed training steps per repeat")
    parser.add_argument("--warmup", type=int, default=3, help="untimed steps first")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--threads", type=int, default=2, help="intra-op threads (torch.set_num_threads)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--params", action="store_true", help="print the weight counts of every model at --size and --classes, one JSON line each, and exit")
    args = parser.parse_args(argv)

    if args.params:
        for name in MODEL_NAMES:
            if args.size < MIN_SIZE[name]:
                continue
            params, trainable = count_params(build(name, args.size, args.classes))
            print(json.dumps({"model": name, "size": args.size, "classes": args.classes, "params": params, "trainableParams": trainable}))
        return 0
    if args.model is None:
        parser.error("--model is required (or --params)")
    for flag in ("batch", "classes", "steps", "repeats", "threads"):
        if getattr(args, flag) < 1:
            parser.error(f"--{flag} must be at least 1")

    torch.set_num_threads(args.threads)
    torch.set_num_interop_threads(1)  # one training step at a time: inter-op threads would only compete
    torch.manual_seed(args.seed)
    model = build(args.model, args.size, args.classes)
    params, trainable = count_params(model)
    rate, rates, cpu_use = images_per_second(model, args.size, args.batch, args.classes, args.steps, args.warmup, args.repeats)
    print(json.dumps({
        "model": args.model,
        "size": args.size,
        "batch": args.batch,
        "threads": torch.get_num_threads(),
        "params": params,
        "imagesPerSecond": round(rate, 1),
        "torch": torch.__version__,
        "classes": args.classes,
        "trainableParams": trainable,
        "steps": args.steps,
        "runs": [round(r, 1) for r in rates],
        "cpuUse": round(cpu_use, 2),
    }))
    return 0


if __name__ == "__main__":
    sys.exit(main())
