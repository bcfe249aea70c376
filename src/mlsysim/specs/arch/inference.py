"""What one inference step reads and computes, per model, as broadcastable coefficients.

Walls take these per-model scalars (through `walls.support.per_spec`, so a sweep over models
works) and combine them with batch and context arrays:
    FLOPs per token(ctx) = 2·matmul_params + attention_coefficient·ctx
    bytes read per decode step = read_params(batch)·bytes_per_weight + batch·ctx·kv_bytes_per_token
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from mlsysim.arrays import scalar
from mlsysim.specs.arch import transformer


@dataclass(frozen=True)
class InferenceProfile:
    """Per-model coefficients for inference physics (SI counts)."""

    params: float  # every weight held in memory
    matmul_params: float  # active weights multiplied per token (blocks + LM head)
    attention_coefficient: float  # forward attention FLOPs per token per context token
    lookup_params: float  # embedding rows only gathered, never streamed whole
    expert_params: float  # weights of all routed experts over all MoE layers
    experts: int
    experts_per_token: int
    layers: int
    hidden: int


def profile(model) -> InferenceProfile:
    qk, v = transformer.attention_width(model)
    layers = model.layers + (2 * model.decoder_layers if model.kind == "encoder-decoder" else 0)
    moe_layers = model.layers - model.dense_layers if model.experts else 0
    expert = transformer.ffn_params(model, model.expert_ffn) if model.experts else 0.0
    lookup = 0.0 if (model.tied_embeddings and model.lm_head) else model.vocab * model.hidden
    return InferenceProfile(
        params=model.params,
        matmul_params=transformer.matmul_params(model),
        attention_coefficient=2.0 * layers * (qk + v),
        lookup_params=lookup,
        expert_params=moe_layers * model.experts * expert,
        experts=model.experts,
        experts_per_token=model.experts_per_token,
        layers=model.layers,
        hidden=model.hidden,
    )


def read_params(p: InferenceProfile, batch):
    """Weights one decode step of `batch` sequences must stream from memory.

    Embedding rows are gathered, not streamed. In a mixture of experts each token picks
    k of E experts per layer; with independent uniform routing a batch of B tokens touches
    E·(1 − (1 − k/E)^B) distinct experts in expectation, so small batches read far less
    than the whole model (Mixtral at batch 1 reads about a quarter of its experts).
    """
    resident = p.params - p.lookup_params
    if not p.experts:
        return resident + 0.0 * batch
    touched_fraction = 1.0 - (1.0 - p.experts_per_token / p.experts) ** batch
    return resident - p.expert_params + p.expert_params * touched_fraction


def flops_per_token(p: InferenceProfile, context):
    return 2.0 * p.matmul_params + p.attention_coefficient * context


def sum_of_max_linear(count, first_a, slope_a, first_b, slope_b):
    """Σ_{i=0}^{count−1} max(a_i, b_i) for two arithmetic sequences, in closed form, broadcasting.

    Decode steps cost max(memory time, compute time); both grow linearly as the KV cache grows
    by one token a step, so a whole generation's time is this sum, with no per-token loop.
    """
    if scalar(count, first_a, slope_a, first_b, slope_b):
        return _sum_of_max_linear_scalar(float(count), float(first_a), float(slope_a), float(first_b),
                                         float(slope_b))
    count = np.asarray(count, dtype=float)
    base = count * first_a + slope_a * count * (count - 1) / 2
    h0, h1 = np.asarray(first_b - first_a, dtype=float), np.asarray(slope_b - slope_a, dtype=float)
    with np.errstate(over="ignore"):  # a vanishing slope puts the crossing at ±inf, which clips fine
        zero = np.divide(-h0, h1, out=np.zeros(np.broadcast(h0, h1).shape), where=h1 != 0)
    # Rising difference: positive after the crossing; falling: positive before it.
    start = np.clip(np.floor(zero) + 1, 0, count)
    rising_n = count - start
    rising = rising_n * h0 + h1 * rising_n * (start + count - 1) / 2
    end = np.clip(np.ceil(zero), 0, count)
    falling = end * h0 + h1 * end * (end - 1) / 2
    flat = count * np.maximum(h0, 0.0)
    extra = np.where(h1 > 0, rising, np.where(h1 < 0, falling, flat))
    result = base + np.maximum(extra, 0.0)
    return float(result) if result.ndim == 0 else result


def _sum_of_max_linear_scalar(count, first_a, slope_a, first_b, slope_b):
    """The same sum for plain floats: numpy's per-call overhead would dominate a scalar call."""
    base = count * first_a + slope_a * count * (count - 1) / 2
    h0, h1 = first_b - first_a, slope_b - slope_a
    # The crossing, clamped before rounding: a vanishing slope would put it at ±inf.
    zero = min(max(-h0 / h1, -1.0), count + 1.0) if h1 else 0.0
    if h1 > 0:
        start = min(max(math.floor(zero) + 1, 0), count)
        n = count - start
        extra = n * h0 + h1 * n * (start + count - 1) / 2
    elif h1 < 0:
        end = min(max(math.ceil(zero), 0), count)
        extra = end * h0 + h1 * end * (end - 1) / 2
    else:
        extra = count * max(h0, 0.0)
    return base + max(extra, 0.0)
