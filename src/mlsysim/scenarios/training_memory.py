"""Memory per device of a training plan: weights, gradients, optimizer state, activations, buffers.

Activations follow Korthikanti et al. 2022 ("Reducing Activation Recomputation in Large
Transformer Models", section 4): with tensor and sequence parallelism every stored activation is
split over tp; fused (flash) attention keeps no s×s score matrix; full recomputation keeps only
each layer's input. Under 1F1B the first pipeline stage holds pp micro-batches in flight
(× (1 + (pp − 1)/(pp·v)) when interleaved), i.e. about L layers' worth of one micro-batch.
"""

from __future__ import annotations

import numpy as np

from mlsysim.scenarios.layers import logit_bytes
from mlsysim.scenarios.training_step import params_per_device, stage_layers

GRADIENT_BYTES = 4  # fp32 main gradients (Megatron-LM keeps them in fp32 by default)
OPTIMIZER_BYTES = 12  # fp32 master weight + Adam's two moments (ZeRO paper, section 3)


def activation_elements(m) -> float:
    """Activation elements stored per token per layer for the backward pass.

    Norm input and output (2h), Q/K/V (q + 2kv), the attention output (q), the second residual
    and norm (2h), the FFN's up outputs (gated: 2f, plain: f) and its activation output (f).
    """
    q = m.heads * (m.qk_nope_head_dim + m.qk_rope_head_dim) if m.kv_lora_rank else m.heads * m.head_dim
    kv = m.kv_heads * m.head_dim
    if m.experts:
        width = m.expert_ffn * (m.experts_per_token + m.shared_experts)
        share = (m.layers - m.dense_layers) / m.layers
        ffn = share * ((3 if m.ffn_type == "gated" else 2) * width + m.experts_per_token * m.hidden)
        ffn = ffn + (1 - share) * (3 if m.ffn_type == "gated" else 2) * m.ffn
    else:
        ffn = (3 if m.ffn_type == "gated" else 2) * m.ffn
    return 4 * m.hidden + 2 * q + 2 * kv + ffn


def _is(value, *options):
    """value in options, elementwise when value is an array of choices."""
    return np.isin(value, options) if isinstance(value, np.ndarray) else np.bool_(value in options)


def memory(m, plan, element: float) -> dict:
    """Bytes per device by kind (arrays over plans)."""
    tp, pp, v = plan["tp"], plan["pp"], plan["vpp"]
    ranks, sharding = plan["dp"] * plan["cp"], plan["sharding"]
    local = params_per_device(m, plan)
    weights = local * element / np.where(_is(sharding, "zero3", "fsdp"), ranks, 1)
    gradients = local * GRADIENT_BYTES / np.where(_is(sharding, "zero2", "zero3", "fsdp"), ranks, 1)
    optimizer = local * OPTIMIZER_BYTES / np.where(_is(sharding, "none"), 1, ranks)

    tokens = plan["micro_batch"] * plan["seq_len"] / plan["cp"]
    per_layer = tokens * activation_elements(m) * element / tp
    # Materialized attention also keeps its softmax output, dropout output and mask: 5 bytes per
    # score (Korthikanti et al. 2022, eq. 1's 5·a·s/h term), unless the attention is recomputed.
    scores = plan["micro_batch"] * m.heads / tp * (plan["seq_len"] / plan["cp"]) * plan["seq_len"] * 5
    per_layer = per_layer + np.where(_is(plan["attention"], "materialized")
                                     & ~_is(plan["recompute"], "selective", "full"), scores, 0.0)
    # Full recomputation keeps each layer's input and rebuilds one layer at a time.
    kept = tokens * m.hidden * element / tp * m.layers + per_layer
    stored = np.where(_is(plan["recompute"], "full"), kept, per_layer * m.layers)
    in_flight = np.minimum(plan["micro_batches"], pp) / pp
    interleave = np.where(v > 1, 1 + (pp - 1) / (pp * v), 1.0)
    most, _ = stage_layers(m.layers, pp)
    activations = stored * in_flight * interleave * (most * pp / m.layers)
    # The logits and their gradient, on the last stage: fp32 copies, or 16-bit ones for a fused loss.
    logits = tokens * m.vocab / tp * logit_bytes(plan) * 2
    activations = np.maximum(activations, activations / np.maximum(pp, 1) + logits)
    buffers = plan["buffer_bytes"]
    total = weights + gradients + optimizer + activations + buffers
    return {"weights": weights, "gradients": gradients, "optimizer": optimizer, "activations": activations,
            "buffers": buffers + 0 * total, "total": total}
