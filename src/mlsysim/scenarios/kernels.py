"""Time of the kernels a transformer layer runs: GEMMs on the roofline, attention, element-wise ops.

Every function broadcasts over numpy arrays (micro-batch sizes, parallel degrees) so a search
over thousands of parallel plans is one call. Rates are *achievable* ones: the hardware's peak
times its measured matmul efficiency, its HBM bandwidth times its measured memory efficiency
(sourced fields of the hardware spec, see `Rates`).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

# Output tiles (rows × columns) of cuBLAS's most efficient GEMM kernels, the ones a search for the
# maximum achievable matmul rate lands on (NVIDIA, "Matrix Multiplication Background User's Guide",
# section 2.3: "256x128 and 128x256 (most efficient)").
NVIDIA_GEMM_TILES = ((256, 128), (128, 256))

# FlashAttention-2 is "around 1.3-1.5x faster than FlashAttention in Triton in the forward pass
# and around 2x faster in the backward pass" (Dao 2023, "FlashAttention-2", section 4.1, A100):
# the Triton kernel (OpenAI's fused-attention tutorial, which llm-foundry's attn_impl 'triton'
# ran in 2023) is charged FlashAttention-2's rates divided by these, the forward range's middle.
TRITON_FLASH_SLOWDOWN = (1.4, 2.0)

# Attention kernels a training job can run: the chip's best fused kernel (its attention_efficiency,
# e.g. FlashAttention-3 on Hopper), FlashAttention-2, FlashAttention in Triton, or one that writes
# the score matrix to memory (before FlashAttention, 2022).
ATTENTION_KERNELS = ("flash", "flash2", "triton", "materialized")

# FlashAttention-2's backward pass runs five matmuls to the forward's two (it recomputes the
# attention scores), i.e. 2.5× the forward FLOPs (Dao 2023, "FlashAttention-2", section 3.1.2).
FLASH_BACKWARD_FACTOR = 2.5


@dataclass(frozen=True)
class Rates:
    """Achievable rates of one device."""

    matmul: float  # FLOP/s sustained by large GEMMs at the training precision
    attention: float  # FLOP/s sustained by fused attention kernels, forward
    memory: float  # B/s sustained by streaming kernels
    launch: float  # s of fixed overhead per kernel launch
    matmul_efficiency: float = 1.0  # the fractions behind the rates, reported by scenarios
    memory_efficiency: float = 1.0
    attention_backward: float | None = None  # FLOP/s of fused attention's backward pass
    tiles: tuple = ()  # GEMM output tiles whose padding the matmul rate pays for (none: no tile model)

    @classmethod
    def of(cls, hardware, precision: str, matmul_efficiency=None, memory_efficiency=None,
           attention_kernel: str = "flash") -> Rates:
        peak = hardware.peak_flops(precision)
        if matmul_efficiency is None:
            fraction = getattr(hardware, "matmul_fraction", None)
            matmul_efficiency = fraction(precision) if fraction else _field(hardware, "matmul_efficiency")
        matmul = matmul_efficiency
        memory = memory_efficiency if memory_efficiency is not None else _field(hardware, "memory_efficiency")
        # Fused attention runs at 16-bit even in FP8 training, so its rates come off the BF16 peak.
        attention_peak = hardware.peak_flops("bf16") if hardware.has_precision("bf16") else peak
        attention, backward = _attention_efficiencies(hardware, matmul, attention_kernel)
        return cls(matmul=peak * matmul, attention=attention_peak * attention, memory=hardware.memory_bandwidth * memory,
                   launch=_field(hardware, "launch_overhead", default=0.0), matmul_efficiency=matmul,
                   memory_efficiency=memory, attention_backward=attention_peak * backward,
                   tiles=NVIDIA_GEMM_TILES if (hardware.vendor or "").lower() == "nvidia" else ())


def _attention_efficiencies(hardware, matmul: float, kernel: str) -> tuple[float, float]:
    """(forward, backward) fractions of the BF16 peak that `kernel` sustains on the chip. A chip with
    no FlashAttention-2 figure of its own lets its best fused kernel stand in (on the A100 that kernel
    is FlashAttention-2; on later chips the stand-in flatters FlashAttention-2 and Triton)."""
    forward = _field(hardware, "attention_efficiency", default=matmul)
    backward = _field(hardware, "attention_backward_efficiency", default=forward)
    if kernel in ("flash2", "triton"):
        flash2 = getattr(hardware, "flash2_attention_efficiency", None)
        if flash2 is not None:
            forward = backward = flash2
    if kernel == "triton":
        forward, backward = forward / TRITON_FLASH_SLOWDOWN[0], backward / TRITON_FLASH_SLOWDOWN[1]
    return forward, backward


def _field(hardware, name: str, default=1.0):
    value = getattr(hardware, name, None)
    return default if value is None else value


def gemm_time(m, k, n, element: float, rates: Rates):
    """One (m×k)·(k×n) GEMM: the slower of its arithmetic and its operand traffic, plus a launch.

    The arithmetic runs at the achievable matmul rate on the padded output (`tile_efficiency`).
    """
    flops = 2.0 * m * k * n
    traffic = (m * k + k * n + m * n) * element
    compute = flops / (rates.matmul * tile_efficiency(m, n, rates.tiles))
    return np.maximum(compute, traffic / rates.memory) + rates.launch


def tile_efficiency(m, n, tiles):
    """Useful fraction of the tensor-core work of an m × n GEMM output cut into `tiles`.

    A dimension that is not a multiple of the tile pads its last row or column of tiles, and the
    padding costs as much as real work (tile quantization; NVIDIA's Matrix Multiplication guide,
    section 3.1). The better-fitting orientation of the tile is taken. Wave quantization (section
    3.2: a last, partial wave of tiles leaves SMs idle) is not charged: stream-K and split-K
    kernels spread the reduction dimension over the idle SMs (Osama et al. 2023, "Stream-K",
    arXiv:2301.03598), so the achievable rate holds for any tile count.
    """
    if not tiles:
        return 1.0
    if np.ndim(m) == 0 and np.ndim(n) == 0:
        m, n = float(m), float(n)
        if m <= 0 or n <= 0:  # an empty GEMM: nothing to pad
            return 1.0
        return max(m * n / (math.ceil(m / a) * a * math.ceil(n / b) * b) for a, b in tiles)
    best = 0.0
    for a, b in tiles:
        padded = np.maximum(np.ceil(m / a) * a * np.ceil(n / b) * b, 1.0)
        best = np.maximum(best, m * n / padded)
    return np.where(m * n > 0, best, 1.0)


def row_efficiency(m, tiles):
    """`tile_efficiency` of m rows when the output's width is a whole number of tiles (a layer's
    weight matrices, whose widths are multiples of 256): only the rows pad."""
    if not tiles:
        return 1.0
    return tile_efficiency(m, float(math.lcm(*(d for tile in tiles for d in tile))), tiles)


def attention_time(batch, queries, keys, qk_width, v_width, rates: Rates, causal: bool = True):
    """Fused attention forward on one device: QKᵀ and A·V over the keys each query sees.

    `qk_width`/`v_width` are summed over the heads this device holds. With a causal mask a
    fused kernel skips the upper triangle, so a query attends to half the keys on average.
    """
    seen = keys / 2.0 if causal else keys
    flops = 2.0 * batch * queries * seen * (qk_width + v_width)
    return flops / rates.attention + rates.launch


# Bytes moved per attention-score element when the scores are materialized (pre-FlashAttention
# kernels, e.g. Megatron-LM 2021 with attention dropout): forward, QKᵀ writes S (2 B), the fused
# scale-mask-softmax reads S and writes P (4 B), dropout reads P and writes P′ and a mask (5 B),
# A·V reads P′ (2 B); backward roughly half as much again on top of a mirror of that (19 B).
# Counting follows the kernel sequence in Korthikanti et al. 2022, section 4.1 (Fig. 4).
MATERIALIZED_FORWARD_BYTES = 13
MATERIALIZED_BACKWARD_BYTES = 19


def materialized_attention(batch, queries, keys, heads, qk_width, v_width, rates: Rates):
    """(forward, backward) seconds of attention that writes its score matrix to memory.

    `heads` is the heads on this device and the widths are per head; the score GEMMs are
    batched GEMMs over the full (unmasked) matrix, the softmax and dropout stream it.
    """
    scores = batch * heads * queries * keys
    flops = 2.0 * scores * (qk_width + v_width)
    forward = flops / rates.matmul + scores * MATERIALIZED_FORWARD_BYTES / rates.memory + 4 * rates.launch
    backward = 2 * flops / rates.matmul + scores * MATERIALIZED_BACKWARD_BYTES / rates.memory + 6 * rates.launch
    return forward, backward


def attention_backward_time(forward_seconds, rates: Rates):
    """Fused attention's backward: 2.5× the forward FLOPs (FlashAttention-2, section 3.1.2) at the
    backward pass's own achievable rate."""
    launch = rates.launch
    flops_rate_ratio = rates.attention / (rates.attention_backward or rates.attention)
    return (forward_seconds - launch) * FLASH_BACKWARD_FACTOR * flops_rate_ratio + 2 * launch


def stream_time(nbytes, rates: Rates, kernels: int = 1):
    """Memory-bound kernels moving `nbytes` in all."""
    return nbytes / rates.memory + kernels * rates.launch
