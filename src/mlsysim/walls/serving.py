"""Wall 4, serving: LLM prefill (time to first token) and decode (inter-token latency) on the roofline."""

from __future__ import annotations

import numpy as np

from mlsysim.precision import bytes_per_element
from mlsysim.specs.arch import inference
from mlsysim.walls.core import Example, Input, Output, Wall
from mlsysim.walls.support import choose, per_spec, spec_or_fields


def _math_precision(hardware, precision):
    """Weight-only formats (int4, fp4 on older chips) still multiply in 16-bit."""
    def pick(h, p):
        return p if h is None or h.has_precision(p) else "bf16"

    return per_spec(pick, hardware, precision) if hardware is not None else precision


def evaluate(model, hardware, devices, prompt_tokens, output_tokens, batch, precision, kv_precision,
             bandwidth, peak_flops, efficiency, memory_efficiency):
    p = model.inference  # specs arrive one at a time (the Wall groups sweeps by spec)
    if bandwidth is None:
        bandwidth = per_spec(lambda h: h.memory_bandwidth, hardware)
    if peak_flops is None:
        peak_flops = per_spec(lambda h, p: h.peak_flops(p), hardware, _math_precision(hardware, precision))
    efficiency = _efficiency(efficiency, hardware, "matmul_efficiency")
    memory_efficiency = _efficiency(memory_efficiency, hardware, "memory_efficiency")
    compute_rate = peak_flops * efficiency * devices
    memory_rate = bandwidth * memory_efficiency * devices
    weight_element = bytes_per_element(precision)
    kv_token = model.kv_bytes_per_token(kv_precision)
    matmul, attention, params = p.matmul_params, p.attention_coefficient, p.params

    # Prefill: the prompt's tokens in one pass; causal attention sees prompt/2 tokens on average.
    prefill_flops = batch * prompt_tokens * (2 * matmul + attention * prompt_tokens / 2)
    prefill_read = inference.read_params(p, 1.0 * batch * prompt_tokens) * weight_element
    prefill_compute, prefill_memory = prefill_flops / compute_rate, prefill_read / memory_rate
    ttft = np.maximum(prefill_compute, prefill_memory)

    # Decode: one token per sequence per step; the cache holds prompt + half the output on average.
    context = prompt_tokens + output_tokens / 2
    decode_bytes = inference.read_params(p, batch) * weight_element + batch * context * kv_token
    decode_flops = batch * (2 * matmul + attention * context)
    decode_memory, decode_compute = decode_bytes / memory_rate, decode_flops / compute_rate
    itl = np.maximum(decode_memory, decode_compute)

    kv_bytes = batch * (prompt_tokens + output_tokens) * kv_token
    weight_bytes = params * weight_element
    memory = None if hardware is None else per_spec(lambda h: h.memory_bytes, hardware) * devices
    return {
        "ttft": ttft, "itl": itl, "latency": ttft + output_tokens * itl,
        "tokens_per_second_per_user": 1.0 / itl, "throughput": batch / itl,
        "prefill_flops": prefill_flops, "prefill_compute_time": prefill_compute,
        "prefill_memory_time": prefill_memory, "decode_bytes": decode_bytes, "decode_flops": decode_flops,
        "decode_memory_time": decode_memory, "decode_compute_time": decode_compute,
        "weight_bytes": weight_bytes, "kv_bytes": kv_bytes, "memory_required": weight_bytes + kv_bytes,
        "memory_available": memory, "bandwidth": bandwidth, "peak_flops": peak_flops,
        "prefill_regime": choose(prefill_compute >= prefill_memory, "compute-bound", "memory-bound"),
        "regime": choose(decode_memory >= decode_compute, "memory-bound", "compute-bound"),
    }


def _efficiency(given, hardware, attribute):
    """The textbook law runs at nominal rates unless told otherwise; the serving scenario uses
    the hardware's measured achievable fractions."""
    return 1.0 if given is None else given


def explain(r) -> str:
    text = (f"Prefill of {r.fmt('prompt_tokens')} tokens × {r.fmt('batch')} takes {r.fmt('ttft')} "
            f"({r.fmt('prefill_regime')}); each decode step reads {r.fmt('decode_bytes')} and takes "
            f"{r.fmt('itl')} ({r.fmt('regime')}), so each user sees {r.fmt('tokens_per_second_per_user')} "
            f"tokens and the batch produces {r.fmt('throughput')}.")
    available = r.outputs["memory_available"]
    if available is not None and np.any(r.outputs["memory_required"] > available):
        text += (f" Note: weights and cache need {r.fmt('memory_required')} but {r.fmt('devices')} device(s) "
                 f"hold {r.fmt('memory_available')}; add devices.")
    return text


WALL = Wall(
    number=4,
    slug="serving",
    title="The Serving Wall",
    domain="node",
    question="How long until the first token, and between tokens, when serving an LLM?",
    equation="TTFT = max(prefill FLOPs / (peak·eff), weight bytes / bandwidth);  "
             "ITL = max((weight + KV bytes) / bandwidth, decode FLOPs / (peak·eff))",
    latex=r"\mathrm{TTFT}=\max\!\left(\tfrac{F_\text{prefill}}{P\eta},\tfrac{W}{BW}\right),\ "
          r"\mathrm{ITL}=\max\!\left(\tfrac{W+KV}{BW},\tfrac{F_\text{decode}}{P\eta}\right)",
    explanation=(
        "Serving a language model has two phases with opposite bottlenecks. Prefill pushes the whole "
        "prompt through the model at once: thousands of tokens share each weight read, so it is "
        "limited by arithmetic. Decode then produces one token per sequence per step and must "
        "re-read every weight plus the KV cache for it, so at small batch it is limited by memory "
        "bandwidth. Batching amortizes the weight reads over more sequences until decode too becomes "
        "compute-bound. Tensor parallelism splits both the bytes and the FLOPs over k devices."
    ),
    inputs=[
        Input("model", "model", "the model being served"),
        Input("hardware", "hardware", "accelerator", default=None),
        Input("devices", "count", "devices per replica (tensor parallel)", default=1, low=1, integer=True,
              typical=(1, 16)),
        Input("prompt_tokens", "count", "tokens in the prompt", default=1024, low=1, typical=(16, 131072)),
        Input("output_tokens", "count", "tokens generated per request", default=256, low=1, typical=(1, 32768)),
        Input("batch", "count", "sequences decoded together", default=1, low=1, typical=(1, 1024)),
        Input("precision", "precision", "precision of the weights", default="bf16"),
        Input("kv_precision", "precision", "precision of the KV cache", default="bf16"),
        Input("bandwidth", "bandwidth", "memory bandwidth per device (instead of the hardware's)", default=None,
              low=0, low_open=True, typical=(1e11, 1e13)),
        Input("peak_flops", "flop_rate", "peak FLOP/s per device (instead of the hardware's)", default=None,
              low=0, low_open=True, typical=(1e13, 1e16)),
        Input("efficiency", "fraction", "achievable fraction of peak FLOP/s (default 1: nominal peak)",
              default=None, low=0, high=1, low_open=True, typical=(0.3, 1.0)),
        Input("memory_efficiency", "fraction", "achievable fraction of bandwidth (default 1: nominal bandwidth)",
              default=None, low=0, high=1, low_open=True, typical=(0.5, 1.0)),
    ],
    outputs=[
        Output("ttft", "time", "time to first token (prefill)"),
        Output("itl", "time", "inter-token latency: one decode step"),
        Output("latency", "time", "end to end: TTFT + output tokens × ITL"),
        Output("tokens_per_second_per_user", "rate", "decode speed one user sees"),
        Output("throughput", "rate", "output tokens per second across the batch"),
        Output("prefill_flops", "flops", "FLOPs of the prefill"),
        Output("prefill_compute_time", "time", "prefill time if only arithmetic mattered"),
        Output("prefill_memory_time", "time", "prefill time if only weight reads mattered"),
        Output("decode_bytes", "bytes", "bytes read per decode step (weights + KV cache)"),
        Output("decode_flops", "flops", "FLOPs per decode step"),
        Output("decode_memory_time", "time", "decode step time if only memory mattered"),
        Output("decode_compute_time", "time", "decode step time if only arithmetic mattered"),
        Output("weight_bytes", "bytes", "weights held in memory"),
        Output("kv_bytes", "bytes", "KV cache of the batch at full length"),
        Output("memory_required", "bytes", "weights plus KV cache"),
        Output("memory_available", "bytes", "memory across the devices"),
        Output("bandwidth", "bandwidth", "memory bandwidth per device used"),
        Output("peak_flops", "flop_rate", "peak FLOP/s per device used"),
        Output("prefill_regime", "text", "what bounds prefill"),
        Output("regime", "text", "what bounds decode"),
    ],
    constraints=[
        spec_or_fields("serving", "hardware", "bandwidth", "peak_flops"),
    ],
    regimes=("memory-bound", "compute-bound"),
    evaluate=evaluate,
    explain=explain,
    headline="itl",
    examples=[
        Example({"model": "llama-3-70b", "hardware": "h100", "prompt_tokens": 128, "output_tokens": 128},
                {"itl": 0.042}, rtol=0.03,
                source="spec, Wall 22 / Wall 4: 140 GB of weights at 3.35 TB/s → ~42 ms per decode step at batch 1"),
        Example({"model": "llama-3-8b", "hardware": "h100", "prompt_tokens": 8192, "output_tokens": 1},
                {"ttft": 0.1421}, rtol=0.01,
                source="arithmetic: 8192 tokens × (2 × 7.505B matmul weights + 2·32 layers·8192 width·4096 "
                       "mean context) = 140.6 TFLOP at the H100's 989.4 TFLOP/s dense BF16 peak"),
    ],
    caveats=("Ideal tensor parallelism (no all-reduce time), no kernel launch overheads, and the average "
             "decode context (prompt + output/2) for the KV read; the serving scenario adds those."),
    sources=("Pope et al., 'Efficiently Scaling Transformer Inference', MLSys 2023",),
)
