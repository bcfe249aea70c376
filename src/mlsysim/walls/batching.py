"""Wall 5, batching: KV-cache bytes per request and how many requests fit beside the weights."""

from __future__ import annotations

import numpy as np

from mlsysim.precision import bytes_per_element
from mlsysim.walls.core import Example, Input, Output, Wall
from mlsysim.walls.support import choose, per_spec


def evaluate(model, sequence_length, batch, kv_precision, precision, hardware, devices, memory, reserve):
    kv_per_token = per_spec(lambda m, p: m.kv_bytes_per_token(p), model, kv_precision)
    per_request = kv_per_token * sequence_length
    weights = per_spec(lambda m, p: m.params * bytes_per_element(p), model, precision)
    outputs = {"kv_bytes_per_token": kv_per_token, "kv_bytes_per_request": per_request,
               "kv_bytes": per_request * batch, "weight_bytes": weights, "memory_capacity": None,
               "kv_budget": None, "max_batch": None, "regime": "no memory given"}
    if memory is None and hardware is not None:
        memory = per_spec(lambda h: h.memory_bytes, hardware)
    if memory is not None:
        capacity = memory * devices
        # Serving engines keep part of memory for activations and fragmentation: vLLM, for
        # example, claims 90 % of GPU memory by default (gpu_memory_utilization = 0.9).
        budget = capacity * (1.0 - reserve) - weights
        max_batch = np.maximum(np.floor(budget / per_request), 0.0)
        outputs.update(memory_capacity=capacity, kv_budget=budget, max_batch=max_batch,
                       regime=choose(budget <= 0, "weights do not fit",
                                     choose(batch <= max_batch, "fits", "exceeds memory")))
    return outputs


def explain(r) -> str:
    text = (f"Each token of {r.fmt('model')} keeps {r.fmt('kv_bytes_per_token')} of keys and values "
            f"({r.fmt('kv_precision')}), so a {r.fmt('sequence_length')}-token request holds "
            f"{r.fmt('kv_bytes_per_request')} and a batch of {r.fmt('batch')} holds {r.fmt('kv_bytes')}.")
    if r.outputs["max_batch"] is not None:
        text += (f" After {r.fmt('weight_bytes')} of weights and a {r.fmt('reserve')} reserve, "
                 f"{r.fmt('memory_capacity')} leaves {r.fmt('kv_budget')}: room for {r.fmt('max_batch')} "
                 f"concurrent requests ({r.fmt('regime')}).")
    return text


WALL = Wall(
    number=5,
    slug="batching",
    title="The Batching Wall",
    domain="node",
    question="How much KV cache does each request need, and how many requests fit?",
    equation="KV = 2 × layers × kv_heads × head_dim × sequence × batch × bytes;  "
             "max_batch = ⌊(memory × (1 − reserve) − weights) / KV per request⌋",
    latex=r"KV = 2\,L\,H_{kv}\,d_h\,S\,B\,b,\quad B_{max}=\left\lfloor\frac{M(1-r)-W}{2 L H_{kv} d_h S b}\right\rfloor",
    explanation=(
        "To generate each new token a transformer re-reads the keys and values of every earlier "
        "token in every layer, so servers cache them. That cache grows with sequence length and "
        "with the number of requests in flight, and it competes with the weights for the same "
        "HBM. Grouped-query and multi-query attention shrink it by sharing KV heads; latent "
        "attention (MLA) caches one compressed vector per token instead. Whatever memory is left "
        "after the weights decides how many requests can be batched together."
    ),
    inputs=[
        Input("model", "model", "the model being served"),
        Input("sequence_length", "count", "tokens per request (prompt + output)", low=1, typical=(128, 131072)),
        Input("batch", "count", "concurrent requests", default=1, low=1, typical=(1, 1024)),
        Input("kv_precision", "precision", "precision of the KV cache", default="bf16"),
        Input("precision", "precision", "precision of the weights", default="bf16"),
        Input("hardware", "hardware", "accelerator whose memory holds weights and cache", default=None),
        Input("devices", "count", "devices sharing the model (tensor parallel)", default=1, low=1, integer=True,
              typical=(1, 16)),
        Input("memory", "bytes", "memory per device (instead of hardware)", default=None, low=0, low_open=True,
              typical=(1e9, 3e11)),
        Input("reserve", "fraction", "share of memory kept for activations and fragmentation", default=0.1,
              low=0, high=1, high_open=True, typical=(0.0, 0.3)),
    ],
    outputs=[
        Output("kv_bytes_per_token", "bytes", "KV cache one token adds, all layers"),
        Output("kv_bytes_per_request", "bytes", "KV cache of one request"),
        Output("kv_bytes", "bytes", "KV cache of the whole batch"),
        Output("weight_bytes", "bytes", "the model's weights at their precision"),
        Output("memory_capacity", "bytes", "memory across the devices"),
        Output("kv_budget", "bytes", "memory left for KV cache"),
        Output("max_batch", "count", "concurrent requests that fit"),
        Output("regime", "text", "fits, exceeds memory, or weights do not fit"),
    ],
    regimes=("no memory given", "fits", "exceeds memory", "weights do not fit"),
    evaluate=evaluate,
    explain=explain,
    headline="kv_bytes_per_request",
    examples=[
        Example({"model": "llama-3-8b", "sequence_length": 4096, "kv_precision": "bf16"},
                {"kv_bytes_per_request": 536_870_912}, rtol=1e-12,
                source="spec, Wall 5: 2 × 32 layers × 8 KV heads × 128 × 4096 × 2 B = 512 MiB (Llama 3 config)"),
        Example({"model": "llama-3-8b", "sequence_length": 4096, "hardware": "h100"}, {"max_batch": 104},
                source="spec, Wall 5 ('an 80 GB GPU can only serve ~100 concurrent requests'), with a 10 % "
                       "reserve as vLLM's default gpu_memory_utilization = 0.9"),
    ],
    caveats=("Counts a dense cache of the full sequence; paged allocation wastes a little more, and "
             "prefix sharing, sliding windows or cache offloading let more requests fit."),
    sources=("Pope et al., 'Efficiently Scaling Transformer Inference', MLSys 2023",
             "Kwon et al., 'Efficient Memory Management for LLM Serving with PagedAttention', SOSP 2023"),
)
