"""Time of the kernels a transformer layer runs: GEMMs on the roofline, attention, element-wise ops.

Every function broadcasts over numpy arrays (micro-batch sizes, parallel degrees) so a search
over thousands of parallel plans is one call. Rates are *achievable* ones: the hardware's peak
times its measured matmul efficiency, its HBM bandwidth times its measured memory efficiency
(sourced fields of the hardware spec, see `Rates`).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

# FlashAttention-2's backward pass runs five matmuls to the forward's two (it recomputes the
# attention scores), i.e. 2.5× the forward FLOPs (Dao 2023, "FlashAttention-2", section 3.1.2).
FLASH_BACKWARD_FACTOR = 2.5


@dataclass(frozen=True)
class Rates:
    """Achievable rates of one device."""

    matmul: float  # FLOP/s sustained by large GEMMs at the training precision
    attention: float  # FLOP/s sustained by fused attention kernels
    memory: float  # B/s sustained by streaming kernels
    launch: float  # s of fixed overhead per kernel launch
    matmul_efficiency: float = 1.0  # the fractions behind the rates, reported by scenarios
    memory_efficiency: float = 1.0

    @classmethod
    def of(cls, hardware, precision: str, matmul_efficiency=None, memory_efficiency=None) -> Rates:
        peak = hardware.peak_flops(precision)
        matmul = matmul_efficiency if matmul_efficiency is not None else _field(hardware, "matmul_efficiency")
        memory = memory_efficiency if memory_efficiency is not None else _field(hardware, "memory_efficiency")
        attention = _field(hardware, "attention_efficiency", default=matmul)
        return cls(matmul=peak * matmul, attention=peak * attention, memory=hardware.memory_bandwidth * memory,
                   launch=_field(hardware, "launch_overhead", default=0.0), matmul_efficiency=matmul,
                   memory_efficiency=memory)


def _field(hardware, name: str, default=1.0):
    value = getattr(hardware, name, None)
    return default if value is None else value


def gemm_time(m, k, n, element: float, rates: Rates):
    """One (m×k)·(k×n) GEMM: the slower of its arithmetic and its operand traffic, plus a launch."""
    flops = 2.0 * m * k * n
    traffic = (m * k + k * n + m * n) * element
    return np.maximum(flops / rates.matmul, traffic / rates.memory) + rates.launch


def attention_time(batch, queries, keys, qk_width, v_width, rates: Rates, causal: bool = True):
    """Fused attention forward on one device: QKᵀ and A·V over the keys each query sees.

    `qk_width`/`v_width` are summed over the heads this device holds. With a causal mask a
    fused kernel skips the upper triangle, so a query attends to half the keys on average.
    """
    seen = keys / 2.0 if causal else keys
    flops = 2.0 * batch * queries * seen * (qk_width + v_width)
    return flops / rates.attention + rates.launch


def stream_time(nbytes, rates: Rates, kernels: int = 1):
    """Memory-bound kernels moving `nbytes` in all."""
    return nbytes / rates.memory + kernels * rates.launch
