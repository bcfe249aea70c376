"""Prefill and decode of one model replica, kernel by kernel, on the roofline.

Prefill runs the prompt's tokens through every layer at once (GEMMs with m = prompt tokens,
causal fused attention); a decode step runs one token per sequence (GEMMs with m = batch, which
are weight-bandwidth-bound until the batch is large) and reads each sequence's KV cache. Tensor
parallelism over the replica's devices splits every weight and head, and adds two all-reduces
of the activations per layer (Megatron-style), which at decode are latency-bound.
"""

from __future__ import annotations

import numpy as np

from mlsysim.scenarios import layers
from mlsysim.scenarios.fabric import collective
from mlsysim.scenarios.kernels import attention_time, gemm_time, row_efficiency, stream_time


def prefill_flops(m, prompt, tp):
    """FLOPs per device to prefill one prompt (causal attention: prompt/2 keys on average)."""
    p = m.inference
    return prompt * (2 * p.matmul_params + p.attention_coefficient * prompt / 2) / tp


def activation_bytes(weight_bytes):
    """Bytes of an activation between kernels. 8- and 4-bit formats quantize the weights (and a
    GEMM's inputs) only: norms, residuals and the all-reduces run in 16 bits, and the output head
    stays 16-bit ("only the weights and activations of the linear operators within transformer
    blocks are quantized", nvidia/Llama-3.1-405B-Instruct-FP8 model card; llm-compressor's FP8
    recipes likewise leave lm_head out)."""
    return np.maximum(weight_bytes, 2.0)


def prefill_time(m, prompt, tp, element, rates, fabric):
    """Seconds to prefill one prompt of `prompt` tokens (time to first token, unqueued): "time",
    and its "gemm" (output head included), "attention", "elementwise" and "communication" parts."""
    act = activation_bytes(element)
    per_layer = layers.forward(m, bool(m.experts), prompt, 1.0, prompt, prompt, tp, 1, element, rates,
                               activation_element=act)
    if m.experts and m.dense_layers:
        dense = layers.forward(m, False, prompt, 1.0, prompt, prompt, tp, 1, element, rates, activation_element=act)
        share = (m.layers - m.dense_layers) / m.layers
        per_layer = per_layer.scaled(share, share, share) + dense.scaled(1 - share, 1 - share, 1 - share)
    comm = 2 * collective("all-reduce", prompt * m.hidden * act, tp, tp, fabric, fabric)
    head = gemm_time(1.0, m.hidden, m.vocab / tp, act, rates)  # the last token's logits
    return {"time": m.layers * (per_layer.total + comm) + head, "gemm": m.layers * per_layer.gemm + head,
            "attention": m.layers * per_layer.attention, "elementwise": m.layers * per_layer.elementwise,
            "communication": m.layers * comm}


def shares(parts, total, prefix):
    """Each kind of work's share of a prefill or a step of `total` seconds (their parts as
    `prefill_time` and `decode_step_time` return them)."""
    gemm = parts["gemm"] + parts.get("head", 0.0)
    kinds = {"gemm": gemm, "attention": parts["attention"], "elementwise": parts["elementwise"],
             "communication": parts["communication"]}
    return {f"{prefix}_{kind}_share": value / total for kind, value in kinds.items()}


def decode_step_time(m, batch, context, tp, element, kv_precision, rates, fabric, prefill_tokens=0.0, prompt=1.0):
    """Seconds of one decode step for `batch` sequences whose caches hold `context` tokens.

    With in-flight batching the step also prefills `prefill_tokens` prompt tokens (whole prompts
    of `prompt` tokens) of the requests that replace finished ones. They join the same kernels:
    the GEMMs run with batch + prefill_tokens rows over one read of the weights, and the prompts'
    causal attention runs beside the decode attention. Each kernel is its own roofline, one after
    another, so prefill arithmetic fills only the GEMMs' idle compute, not the time of the
    memory-bound attention and element-wise kernels.
    """
    p = m.inference
    rows = batch + prefill_tokens
    weights = _dense_weights_per_layer(m) / tp
    gemm = _gemm_roofline(rows, weights, element, rates)
    if m.experts:
        touched = m.experts * (1.0 - (1.0 - m.experts_per_token / m.experts) ** rows)
        expert_weights = _expert_weights(m) / tp
        per_expert = rows * m.experts_per_token / touched
        # Grouped GEMMs run every touched expert in one launch per weight matrix (up, down).
        moe = touched * _gemm_roofline(per_expert, expert_weights, element, rates, launches=0) + 2 * rates.launch
        share = (m.layers - m.dense_layers) / m.layers
        dense_ffn = layers.ffn_gemms(m, m.ffn, 1)
        dense_weights = sum(k * n for k, n in dense_ffn) / tp if m.dense_layers else 0.0
        gemm = gemm + share * moe + (1 - share) * _gemm_roofline(rows, dense_weights, element, rates)
    # K and V heads split over tp (replicated when there are fewer than tp); MLA's latent is shared.
    split = 1 if m.kv_lora_rank else np.minimum(tp, m.kv_heads)
    kv_bytes = batch * context * m.kv_bytes_per_token(kv_precision) / m.layers / split
    attention_flops = batch * context * p.attention_coefficient / m.layers / tp
    attention = np.maximum(kv_bytes / rates.memory, attention_flops / rates.attention) + rates.launch
    prompts = prefill_tokens / prompt
    qk, v = layers.attention_widths(m)
    attention = attention + np.where(prompts > 0, attention_time(prompts, prompt, prompt, qk / tp, v / tp, rates), 0.0)
    width = m.expert_ffn * (m.experts_per_token + m.shared_experts) if m.experts else m.ffn
    act = activation_bytes(element)
    elementwise = stream_time(rows * layers.elementwise_elements(m, width) / tp * act, rates, kernels=8)
    comm = 2 * collective("all-reduce", rows * m.hidden * act, tp, tp, fabric, fabric)
    head = gemm_time(batch + prompts, m.hidden, m.vocab / tp, act, rates)  # a prompt's last token only
    per_layer = gemm + attention + elementwise + comm
    flops = (batch * (2 * p.matmul_params + p.attention_coefficient * context)
             + prefill_tokens * (2 * p.matmul_params + p.attention_coefficient * prompt / 2)) / tp
    return {"step": m.layers * per_layer + head, "compute_time": flops / rates.matmul, "gemm": m.layers * gemm, "attention": m.layers * attention,
            "elementwise": m.layers * elementwise, "communication": m.layers * comm, "head": head,
            "weight_read_time": (m.layers * weights * element + m.hidden * m.vocab / tp * act) / rates.memory,
            "kv_read_time": m.layers * kv_bytes / rates.memory}


def _gemm_roofline(tokens, weights, element, rates, launches=4):
    """A layer's GEMMs as one roofline: 2·tokens·weights FLOPs (on rows padded to the GEMM tile)
    against reading the weights once, plus the fixed time of each of its `launches` kernels
    (QKV, output, up and down projections)."""
    flops = 2.0 * tokens * weights
    traffic = weights * element
    compute = flops / (rates.matmul * row_efficiency(tokens, rates.tiles))
    return np.maximum(compute, traffic / rates.memory) + launches * rates.launch


def _dense_weights_per_layer(m):
    """Attention projections, plus the FFN when the layers are dense (MoE FFNs are counted apart)."""
    attention = sum(k * n for k, n in layers.attention_gemms(m, 1))
    if m.experts:
        router = m.hidden * m.experts
        shared = sum(k * n for k, n in layers.ffn_gemms(m, m.expert_ffn * m.shared_experts, 1))
        return attention + router + (shared if m.shared_experts else 0.0)
    return attention + sum(k * n for k, n in layers.ffn_gemms(m, m.ffn, 1))


def _expert_weights(m):
    return sum(k * n for k, n in layers.ffn_gemms(m, m.expert_ffn, 1))
