"""Parameters and FLOPs of a Vision Transformer (Dosovitskiy et al. 2020), from its architecture.

The image is cut into (image_size / patch_size)² patches, each projected to the hidden width
by a strided convolution; a learned class token is prepended and learned position embeddings
added, so the encoder sees patches + 1 tokens. The encoder blocks are the transformer blocks
of `arch/transformer.py` (pre-norm, LayerNorm, biases everywhere, plain GELU MLP); a final
LayerNorm and a linear classification head on the class token follow.

FLOPs follow the transformer convention (2 per multiply-add; norms, softmax and GELU
ignored). Published ViT figures (torchvision's "GFLOPS") count multiply-adds, so records
store them in GMAC units.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from mlsysim.errors import InvalidInputError
from mlsysim.specs.arch import transformer

if TYPE_CHECKING:
    from mlsysim.specs.models import Model


def tokens(m: Model) -> int:
    """Sequence length the encoder sees: one token per patch, plus the class token."""
    if m.image_size <= 0 or m.patch_size <= 0 or m.image_size % m.patch_size:
        raise InvalidInputError(f"{m.key}.patch_size: {m.patch_size} must be positive and divide "
                                f"image_size={m.image_size}", parameter="patch_size")
    return (m.image_size // m.patch_size) ** 2 + 1


def _patch_weights(m: Model) -> int:
    return m.channels * m.patch_size ** 2 * m.hidden


def _classes(m: Model) -> int:
    if m.classes <= 0:
        raise InvalidInputError(f"{m.key}.classes: must be a positive whole number, got {m.classes}",
                                parameter="classes")
    return m.classes


def vit_params(m: Model) -> float:
    """Patch embedding, class token, positions, encoder blocks, final norm and head."""
    n = tokens(m)
    embedding = _patch_weights(m) + m.hidden + m.hidden + n * m.hidden  # conv + bias, class token, positions
    blocks = sum(total for total, _ in transformer.layer_params(m))
    head = transformer.norm_params(m) + m.hidden * _classes(m) + _classes(m)
    return float(embedding + blocks + head)


def vit_flops(m: Model) -> float:
    """Forward FLOPs of one image: patch projection, every token through every block, the head."""
    n = tokens(m)
    patches = n - 1
    projection = 2 * patches * _patch_weights(m)
    block_weights = sum(total for total, _ in transformer.layer_params(m))
    blocks = 2 * n * block_weights + n * transformer.attention_flops_per_token(m, n)
    head = 2 * m.hidden * _classes(m)
    return float(projection + blocks + head)
