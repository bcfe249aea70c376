"""One transformer layer on one device, forward and backward: GEMMs, attention, element-wise traffic.

Shapes follow Megatron-style tensor parallelism (Shoeybi et al. 2019): column-parallel QKV and
up-projections, row-parallel output and down-projections, so each device holds 1/tp of every
weight matrix and the activations between layers are whole (or, with sequence parallelism,
split along the sequence). Mixture-of-experts layers route each token to k of E experts;
with expert parallelism a device holds E/ep experts and receives their tokens from its ep
group, so it still multiplies k expert FFNs per token (Lepikhin et al. 2020, GShard).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from mlsysim.scenarios.kernels import (FLASH_BACKWARD_FACTOR, Rates, attention_backward_time, attention_time,
                                      gemm_time, materialized_attention, stream_time)


@dataclass
class LayerTimes:
    """Seconds of each kind of work for one layer and one micro-batch on one device."""

    gemm: object = 0.0  # matrix multiplies (compute- or memory-bound, on the roofline)
    attention: object = 0.0  # attention core
    elementwise: object = 0.0  # norms, residual adds, activations, rotary: bandwidth-bound
    flops: object = 0.0  # FLOPs executed, for utilization
    attention_backward: object = None  # when not a fixed multiple of the forward (materialized scores)

    def __add__(self, other: LayerTimes) -> LayerTimes:
        backward = None
        if self.attention_backward is not None or other.attention_backward is not None:
            backward = _backward_attention(self) + _backward_attention(other)
        return LayerTimes(self.gemm + other.gemm, self.attention + other.attention,
                          self.elementwise + other.elementwise, self.flops + other.flops, backward)

    def scaled(self, gemm: float, attention: float, elementwise: float) -> LayerTimes:
        backward = None if self.attention_backward is None else self.attention_backward * attention
        return LayerTimes(self.gemm * gemm, self.attention * attention, self.elementwise * elementwise,
                          self.flops * gemm, backward)

    @property
    def total(self):
        return self.gemm + self.attention + self.elementwise


def attention_gemms(m, tp):
    """(k, n) of the attention projections one device runs."""
    h = m.hidden
    if m.kv_lora_rank:  # multi-head latent attention: the down-projections are small and replicated
        qk = m.qk_nope_head_dim + m.qk_rope_head_dim
        q = [(h, m.q_lora_rank), (m.q_lora_rank, m.heads * qk / tp)] if m.q_lora_rank else [(h, m.heads * qk / tp)]
        kv = [(h, m.kv_lora_rank + m.qk_rope_head_dim),
              (m.kv_lora_rank, m.heads * (m.qk_nope_head_dim + m.v_head_dim) / tp)]
        return q + kv + [(m.heads * m.v_head_dim / tp, h)]
    q, kv = m.heads * m.head_dim, m.kv_heads * m.head_dim
    gemms = [(h, (q + 2 * kv) / tp), (q / tp, h)]
    if m.position == "relative-xl":  # Transformer-XL projects the relative positions: one more h × h
        gemms.append((h, h / tp))
    return gemms


def ffn_gemms(m, width, tp):
    """(k, n) of one feed-forward block of inner width `width`, split over tp."""
    up = 2 * width if m.ffn_type == "gated" else width
    return [(m.hidden, up / tp), (width / tp, m.hidden)]


def elementwise_elements(m, ffn_width):
    """Activation elements read and written per token by a layer's memory-bound kernels.

    Two norms (read h, write h), two residual adds (read 2h, write h), rotary on q and k (RoPE
    models), and the activation function (gated: read 2f, write f; plain: read f, write f).
    """
    q, kv = attention_widths(m)[0], m.kv_heads * m.head_dim
    activation = 3 * ffn_width if m.ffn_type == "gated" else 2 * ffn_width
    rotary = 2 * (q + kv) if m.position == "rope" else 0
    return 10 * m.hidden + rotary + activation


def forward(m, moe: bool, tokens, batch, queries, keys, tp, ep, element, rates: Rates,
            attention_kind: str = "flash", activation_element=None) -> LayerTimes:
    """One layer's forward pass for `tokens` = batch × queries tokens on one device.

    `element` is the bytes of a GEMM operand; the element-wise kernels move `activation_element`
    bytes per value (the same unless 8- or 4-bit weights keep 16-bit activations)."""
    gemm = sum(gemm_time(tokens, k, n, element, rates) for k, n in attention_gemms(m, tp))
    flops = sum(2.0 * tokens * k * n for k, n in attention_gemms(m, tp))
    if moe:
        expert_tokens = tokens * ep * m.experts_per_token / m.experts  # per local expert
        local = m.experts / ep
        for k, n in ffn_gemms(m, m.expert_ffn, tp):  # a grouped GEMM: all local experts in one launch
            gemm = gemm + local * (gemm_time(expert_tokens, k, n, element, rates) - rates.launch) + rates.launch
            flops = flops + local * 2.0 * expert_tokens * k * n
        gemm = gemm + gemm_time(tokens, m.hidden, m.experts, element, rates)  # router
        if m.shared_experts:
            for k, n in ffn_gemms(m, m.expert_ffn * m.shared_experts, tp):
                gemm, flops = gemm + gemm_time(tokens, k, n, element, rates), flops + 2.0 * tokens * k * n
        width = m.expert_ffn * (m.experts_per_token + m.shared_experts)
        shuffle = 4 * m.experts_per_token * m.hidden  # permute tokens to experts and back: read + write
    else:
        for k, n in ffn_gemms(m, m.ffn, tp):
            gemm, flops = gemm + gemm_time(tokens, k, n, element, rates), flops + 2.0 * tokens * k * n
        width, shuffle = m.ffn, 0
    qk, v = attention_widths(m)
    act = element if activation_element is None else activation_element
    traffic = tokens * (elementwise_elements(m, width) + shuffle) / tp * act
    elementwise = stream_time(traffic, rates, kernels=8)
    if attention_kind == "materialized":
        heads = m.heads / tp
        attention, attention_backward = materialized_attention(batch, queries, keys, heads, qk / m.heads,
                                                               v / m.heads, rates)
        flops = flops + 2.0 * batch * queries * keys * (qk + v) / tp
        return LayerTimes(gemm, attention, elementwise, flops, attention_backward)
    attention = attention_time(batch, queries, keys, qk / tp, v / tp, rates)
    flops = flops + 2.0 * batch * queries * keys / 2.0 * (qk + v) / tp
    return LayerTimes(gemm, attention, elementwise, flops, attention_backward_time(attention, rates))


def _backward_attention(times: LayerTimes):
    if times.attention_backward is not None:
        return times.attention_backward
    return times.attention * FLASH_BACKWARD_FACTOR


def backward(fwd: LayerTimes) -> LayerTimes:
    """The backward pass: data and weight gradients double the GEMMs and element-wise traffic;
    fused attention recomputes its scores (FlashAttention-2: 2.5× the forward FLOPs); attention
    with materialized scores has its own backward (`kernels.materialized_attention`)."""
    return LayerTimes(fwd.gemm * 2.0, _backward_attention(fwd), fwd.elementwise * 2.0, fwd.flops * 2.0)


def attention_widths(m):
    """(summed query-key width, summed value width) over all heads."""
    if m.kv_lora_rank:
        return m.heads * (m.qk_nope_head_dim + m.qk_rope_head_dim), m.heads * m.v_head_dim
    return m.heads * m.head_dim, m.heads * m.head_dim


def logit_bytes(plan):
    """Bytes per logit the loss keeps: a fused cross-entropy kernel reads the 16-bit logits as they
    are (flash-attn's CrossEntropyLoss, llm-foundry's default loss); Megatron-LM casts them to fp32."""
    return np.where(np.asarray(plan.get("cross_entropy", "fp32")) == "fused", 2.0, 4.0)


def head_forward(m, tokens, tp, element, rates: Rates, logit_bytes=4.0) -> LayerTimes:
    """The output (LM) head, vocabulary-parallel over tp, and the softmax cross-entropy."""
    gemm = gemm_time(tokens, m.hidden, m.vocab / tp, element, rates)
    logits = tokens * m.vocab / tp * logit_bytes * 3  # the loss's logits: write, then read twice
    return LayerTimes(gemm=gemm, elementwise=stream_time(logits, rates, kernels=3),
                      flops=2.0 * tokens * m.hidden * m.vocab / tp)


def zero() -> LayerTimes:
    return LayerTimes(np.float64(0.0), np.float64(0.0), np.float64(0.0), np.float64(0.0))
