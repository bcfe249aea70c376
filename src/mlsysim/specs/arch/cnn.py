"""Parameters and FLOPs of convolutional (and small dense) networks, counted layer by layer.

A record's `cnn:` mapping names a family (`type`) and its few free numbers; the layers follow
from the family's paper or reference code, walked here one at a time while the feature-map
shape is tracked.

Conventions:
- A multiply-add is 2 FLOPs. Only convolutions and fully-connected layers count; batch norm is
  assumed folded into the preceding layer and activations, pooling and residual additions
  are ignored (they are O(activations), not O(weights × activations)). Published vision
  figures are usually multiply-adds (torchvision's "GFLOPS" column and MobileNet's
  "Mult-Adds" both count one per multiply-add), so records store them in GMAC units and the
  comparison is like with like.
- "Same" padding: a stride-s layer maps n positions to ceil(n / s).
- Batch-norm weights are counted `norm_params` per channel: 2 (scale and shift, what
  PyTorch and Keras call trainable) by default; 4 where the source counts Keras's moving
  mean and variance too.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from mlsysim.errors import InvalidInputError

if TYPE_CHECKING:
    from mlsysim.specs.models import Model

# Keys every description may carry, then those of each family (required ones first).
_COMMON = ("type", "input", "channels", "classes", "conv_bias", "norm_params")
_KEYS = {
    "resnet": ("block", "stages", "width"),
    "resnet-cifar": ("stages", "width"),
    "vgg": ("stages", "width", "dense"),
    "mobilenet-v1": ("width_multiplier",),
    "mobilenet-v2": ("width_multiplier",),
    "efficientnet": (),
    "ds-cnn": ("filters", "blocks", "first_kernel"),
    "mlp": ("layers",),
}
_REQUIRED = {"resnet": ("block", "stages"), "resnet-cifar": ("stages",), "vgg": ("stages",),
             "ds-cnn": ("blocks",), "mlp": ("input", "layers")}


class _Net:
    """A forward walk: the current feature-map shape and the running totals."""

    def __init__(self, channels: int, height: int, width: int, *, bias: bool, norm_params: int):
        self.c, self.h, self.w = channels, height, width
        self.bias, self.norm_params = bias, norm_params
        self.params = 0
        self.macs = 0
        self.layers: list[tuple[int, int, int, int]] = []  # (MACs, input elements, output elements, weights)

    def fork(self) -> _Net:
        """A side branch (e.g. a residual shortcut) starting from the current shape."""
        return _Net(self.c, self.h, self.w, bias=self.bias, norm_params=self.norm_params)

    def join(self, branch: _Net) -> None:
        self.params += branch.params
        self.macs += branch.macs
        self.layers += branch.layers

    def conv(self, out: int, kernel, stride: int = 1, *, groups: int = 1, norm: bool = True,
             bias: bool | None = None) -> None:
        kh, kw = (kernel, kernel) if isinstance(kernel, int) else kernel
        inputs = self.c * self.h * self.w
        self.h, self.w = math.ceil(self.h / stride), math.ceil(self.w / stride)
        weights = out * (self.c // groups) * kh * kw
        self.params += weights + (out if (self.bias if bias is None else bias) else 0)
        self.params += self.norm_params * out if norm else 0
        self.macs += weights * self.h * self.w
        self.layers.append((weights * self.h * self.w, inputs, out * self.h * self.w, weights))
        self.c = out

    def depthwise(self, kernel, stride: int = 1) -> None:
        self.conv(self.c, kernel, stride, groups=self.c)

    def pool(self, stride: int) -> None:
        self.h, self.w = math.ceil(self.h / stride), math.ceil(self.w / stride)

    def dense(self, out: int, *, norm: bool = False) -> None:
        """A fully-connected layer over the flattened feature map (global-pool first if wanted)."""
        inputs = self.c * self.h * self.w
        self.params += inputs * out + out + (self.norm_params * out if norm else 0)
        self.macs += inputs * out
        self.layers.append((inputs * out, inputs, out, inputs * out))
        self.c, self.h, self.w = out, 1, 1

    def global_pool(self) -> None:
        self.h = self.w = 1


def counts(m: Model) -> tuple[float, float]:
    """(parameters, forward FLOPs of one input) of the network described by `m.cnn`."""
    net = _walk(m)
    return float(net.params), 2.0 * net.macs


def layers(m: Model) -> list[tuple[int, int, int, int]]:
    """Each conv/dense layer as (MACs, input elements, output elements, weights), per input."""
    return list(_walk(m).layers)


def _walk(m: Model) -> _Net:
    spec = check(m)
    net = _Net(spec["channels"], *spec["input"], bias=spec["conv_bias"], norm_params=spec["norm_params"])
    _BUILDERS[spec["type"]](net, spec)
    return net


def check(m: Model) -> dict[str, Any]:
    """The validated description with defaults filled in; raises naming the record and field."""
    raw = m.cnn
    where = f"{m.key}.cnn"
    if not isinstance(raw, Mapping) or "type" not in raw:
        raise InvalidInputError(f"{where}: a cnn model needs a mapping with 'type' (one of "
                                f"{', '.join(_KEYS)}), got {raw!r}", parameter="cnn")
    kind = raw["type"]
    if kind not in _KEYS:
        raise InvalidInputError(f"{where}.type: {kind!r} is not one of {', '.join(_KEYS)}", parameter="cnn")
    allowed = _COMMON + _KEYS[kind]
    for name in raw:
        if name not in allowed:
            raise InvalidInputError(f"{where}: unknown field {name!r} for type {kind}; expected "
                                    f"{', '.join(allowed)}", parameter="cnn")
    for name in _REQUIRED.get(kind, ()):
        if name not in raw:
            raise InvalidInputError(f"{where}: type {kind} needs {name!r}", parameter="cnn")
    spec = dict(raw)
    if kind == "mlp":  # `input` is the number of input features
        spec["input"], spec["channels"] = (1, _positive(where, "input", raw["input"])), 1
    else:
        spec["input"] = _shape(where, raw.get("input", m.image_size or 224))
        spec["channels"] = _positive(where, "channels", raw.get("channels", m.channels or 3))
    spec["classes"] = _positive(where, "classes", raw.get("classes", m.classes or 1000))
    spec["norm_params"] = _positive(where, "norm_params", raw.get("norm_params", 2), minimum=0)
    spec["conv_bias"] = bool(raw.get("conv_bias", kind in ("vgg", "ds-cnn")))
    spec.update(_sizes(where, raw))
    if kind == "resnet" and raw["block"] not in ("basic", "bottleneck"):
        raise InvalidInputError(f"{where}.block: {raw['block']!r} is not one of basic, bottleneck",
                                parameter="cnn")
    return spec


def _sizes(where: str, raw: Mapping[str, Any]) -> dict[str, Any]:
    """The family-specific sizes present in `raw`, validated."""
    out: dict[str, Any] = {}
    for name in ("stages", "layers"):
        if name in raw:
            out[name] = _positive_list(where, name, raw[name])
    for name in ("width", "filters", "blocks", "dense"):
        if name in raw:
            out[name] = _positive(where, name, raw[name])
    multiplier = raw.get("width_multiplier", 1.0)
    if isinstance(multiplier, bool) or not isinstance(multiplier, (int, float)) or not 0 < multiplier <= 4:
        raise InvalidInputError(f"{where}.width_multiplier: {multiplier!r} must be a number in (0, 4]",
                                parameter="cnn")
    out["width_multiplier"] = float(multiplier)
    if "first_kernel" in raw:
        out["first_kernel"] = _shape(where, raw["first_kernel"], field="first_kernel")
    return out


def _positive(where: str, name: str, value: Any, *, minimum: int = 1) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
        raise InvalidInputError(f"{where}.{name}: {value!r} must be a whole number ≥ {minimum}",
                                parameter="cnn")
    return value


def _positive_list(where: str, name: str, value: Any) -> list[int]:
    if not isinstance(value, (list, tuple)) or not value:
        raise InvalidInputError(f"{where}.{name}: {value!r} must be a non-empty list of whole numbers",
                                parameter="cnn")
    return [_positive(where, f"{name}[{i}]", v) for i, v in enumerate(value)]


def _shape(where: str, value: Any, *, field: str = "input") -> tuple[int, int]:
    """An image side (224) or a [height, width] pair ([49, 10] for a spectrogram)."""
    if isinstance(value, int) and not isinstance(value, bool):
        value = [value, value]
    if not isinstance(value, (list, tuple)) or len(value) != 2:
        raise InvalidInputError(f"{where}.{field}: {value!r} must be a size or a [height, width] pair",
                                parameter="cnn")
    return tuple(_positive(where, field, v) for v in value)


# -- families ---------------------------------------------------------------------------------


def _resnet(net: _Net, spec: dict) -> None:
    """He et al. 2015 (torchvision layout: stride on the 3×3 conv of a bottleneck, "v1.5")."""
    width, bottleneck = spec.get("width", 64), spec["block"] == "bottleneck"
    expansion = 4 if bottleneck else 1
    net.conv(width, 7, 2)
    net.pool(2)  # 3×3 max-pool, stride 2
    for stage, blocks in enumerate(spec["stages"]):
        planes = width * 2 ** stage
        for index in range(blocks):
            stride = 2 if stage > 0 and index == 0 else 1
            shortcut = net.fork()
            if stride != 1 or net.c != planes * expansion:
                shortcut.conv(planes * expansion, 1, stride)
                net.join(shortcut)
            if bottleneck:
                net.conv(planes, 1)
                net.conv(planes, 3, stride)
                net.conv(planes * expansion, 1)
            else:
                net.conv(planes, 3, stride)
                net.conv(planes, 3)
    net.global_pool()
    net.dense(spec["classes"])


def _resnet_cifar(net: _Net, spec: dict) -> None:
    """CIFAR ResNet (He et al. 2015 §4.2) as in the MLPerf Tiny reference: a 3×3 stem, basic
    blocks whose width doubles each stage, and a 1×1 projection without norm on the shortcut."""
    width = spec.get("width", 16)
    net.conv(width, 3)
    for stage, blocks in enumerate(spec["stages"]):
        planes = width * 2 ** stage
        for index in range(blocks):
            stride = 2 if stage > 0 and index == 0 else 1
            shortcut = net.fork()
            if stride != 1 or net.c != planes:
                shortcut.conv(planes, 1, stride, norm=False)
                net.join(shortcut)
            net.conv(planes, 3, stride)
            net.conv(planes, 3)
    net.global_pool()
    net.dense(spec["classes"])


def _vgg(net: _Net, spec: dict) -> None:
    """Simonyan & Zisserman 2014: 3×3 convs, a 2×2 max-pool after each stage, three dense layers
    (torchvision pools the last map to 7×7 before them)."""
    width = spec.get("width", 64)
    for stage, convs in enumerate(spec["stages"]):
        for _ in range(convs):
            net.conv(min(width * 2 ** stage, 8 * width), 3, norm=False)
        net.pool(2)
    net.h, net.w = 7, 7
    hidden = spec.get("dense", 4096)
    net.dense(hidden)
    net.dense(hidden)
    net.dense(spec["classes"])


def _scaled(channels: int, multiplier: float, divisor: int = 1) -> int:
    """Channels × width multiplier, rounded to a multiple of `divisor` without losing > 10%."""
    if divisor == 1:
        return max(1, int(channels * multiplier))
    rounded = max(divisor, int(channels * multiplier + divisor / 2) // divisor * divisor)
    return rounded + divisor if rounded < 0.9 * channels * multiplier else rounded


# MobileNet v1 (Howard et al. 2017, Table 1): (output channels, stride) of the 13 separable layers.
_MOBILENET_V1 = ((64, 1), (128, 2), (128, 1), (256, 2), (256, 1), (512, 2), *[(512, 1)] * 5,
                 (1024, 2), (1024, 1))


def _mobilenet_v1(net: _Net, spec: dict) -> None:
    alpha = spec["width_multiplier"]
    net.conv(_scaled(32, alpha), 3, 2)
    for channels, stride in _MOBILENET_V1:
        net.depthwise(3, stride)
        net.conv(_scaled(channels, alpha), 1)
    net.global_pool()
    net.dense(spec["classes"])


# MobileNet v2 (Sandler et al. 2018, Table 2): expansion t, channels c, repeats n, stride s.
_MOBILENET_V2 = ((1, 16, 1, 1), (6, 24, 2, 2), (6, 32, 3, 2), (6, 64, 4, 2), (6, 96, 3, 1),
                 (6, 160, 3, 2), (6, 320, 1, 1))


def _mobilenet_v2(net: _Net, spec: dict) -> None:
    alpha = spec["width_multiplier"]
    net.conv(_scaled(32, alpha, 8), 3, 2)
    for expansion, channels, repeats, stride in _MOBILENET_V2:
        for index in range(repeats):
            if expansion != 1:
                net.conv(net.c * expansion, 1)
            net.depthwise(3, stride if index == 0 else 1)
            net.conv(_scaled(channels, alpha, 8), 1)
    net.conv(_scaled(1280, max(alpha, 1.0), 8), 1)
    net.global_pool()
    net.dense(spec["classes"])


# EfficientNet-B0 (Tan & Le 2019, Table 1): expansion, kernel, stride, channels, repeats.
_EFFICIENTNET_B0 = ((1, 3, 1, 16, 1), (6, 3, 2, 24, 2), (6, 5, 2, 40, 2), (6, 3, 2, 80, 3),
                    (6, 5, 1, 112, 3), (6, 5, 2, 192, 4), (6, 3, 1, 320, 1))


def _efficientnet(net: _Net, spec: dict) -> None:
    """MBConv blocks with squeeze-and-excitation (squeeze to a quarter of the block's input)."""
    net.conv(32, 3, 2)
    for expansion, kernel, stride, channels, repeats in _EFFICIENTNET_B0:
        for index in range(repeats):
            inputs = net.c
            if expansion != 1:
                net.conv(inputs * expansion, 1)
            net.depthwise(kernel, stride if index == 0 else 1)
            excite = net.fork()  # on the pooled 1×1 map: two 1×1 convs with bias, no norm
            excite.global_pool()
            excite.conv(max(1, inputs // 4), 1, norm=False, bias=True)
            excite.conv(net.c, 1, norm=False, bias=True)
            net.join(excite)
            net.conv(channels, 1)
    net.conv(1280, 1)
    net.global_pool()
    net.dense(spec["classes"])


def _ds_cnn(net: _Net, spec: dict) -> None:
    """Depthwise-separable CNN for keyword spotting (Zhang et al. 2017, "Hello Edge"): one
    strided conv over the spectrogram, then depthwise 3×3 + pointwise 1×1 blocks."""
    filters = spec.get("filters", 64)
    net.conv(filters, spec.get("first_kernel", (10, 4)), 2)
    for _ in range(spec["blocks"]):
        net.depthwise(3)
        net.conv(filters, 1)
    net.global_pool()
    net.dense(spec["classes"])


def _mlp(net: _Net, spec: dict) -> None:
    """Dense layers with batch norm on every hidden layer (the last layer is the output)."""
    net.c, net.h, net.w = net.c * net.h * net.w, 1, 1
    *hidden, output = spec["layers"]
    for width in hidden:
        net.dense(width, norm=True)
    net.dense(output)


_BUILDERS = {"resnet": _resnet, "resnet-cifar": _resnet_cifar, "vgg": _vgg,
             "mobilenet-v1": _mobilenet_v1, "mobilenet-v2": _mobilenet_v2,
             "efficientnet": _efficientnet, "ds-cnn": _ds_cnn, "mlp": _mlp}
