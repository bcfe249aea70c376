"""Inputs, outputs and the explanation of the serving scenario."""

from __future__ import annotations

import numpy as np

from mlsysim.walls.declaration import Input, Output

# The kinds of work a prefill or a decode step is split into (`serving_step.shares`).
WORK_KINDS = (("gemm", "GEMMs (output head included)"), ("attention", "attention"),
              ("elementwise", "element-wise (norms, activations, residuals)"),
              ("communication", "tensor-parallel all-reduces"))

INPUTS = [
    Input("model", "model", "the model served"),
    Input("hardware", "hardware", "the accelerator"),
    Input("devices", "count", "devices per replica (tensor parallel)", default=1, low=1, integer=True,
          typical=(1, 16)),
    Input("prompt_tokens", "count", "tokens per prompt", default=1024, low=1, typical=(16, 131072)),
    Input("output_tokens", "count", "tokens generated per request", default=256, low=1, typical=(1, 32768)),
    Input("reasoning_tokens", "count", "hidden reasoning tokens generated per request before the answer",
          default=0, low=0, typical=(0, 32768)),
    Input("batch", "count", "sequences decoded together per replica, or 'max' (the most the KV cache holds)",
          default=None, low=1, integer=True, typical=(1, 1024), keywords=(("max", None),)),
    Input("max_batch", "count", "an engine's cap on the batch (e.g. its max_num_seqs)", default=None, low=1,
          integer=True, typical=(1, 4096)),
    Input("batching", "choice", "continuous (in-flight: requests join as others finish) or static (the whole "
          "batch prefills, then decodes together)", default="continuous", choices=("continuous", "static")),
    Input("precision", "precision", "precision of the weights", default="bf16", aliases=("weight_precision",)),
    Input("kv_precision", "precision", "precision of the KV cache", default="bf16"),
    # Serving engines keep part of memory for activations and fragmentation (vLLM claims 90 %).
    Input("reserve", "fraction", "share of device memory kept free of weights and KV cache", default=0.1,
          low=0, high=1, high_open=True, typical=(0.0, 0.3)),
    Input("rate", "rate", "requests arriving per second, for replicas and cost at load", default=None, low=0,
          low_open=True, typical=(0.01, 1e4)),
    Input("p99", "time", "target 99th-percentile end-to-end latency", default=None, low=0, low_open=True,
          typical=(0.1, 600)),
    Input("ttft_target", "time", "target time to first token (reported as met or not)", default=None, low=0,
          low_open=True, typical=(0.01, 10)),
    Input("itl_target", "time", "target inter-token latency (reported as met or not)", default=None, low=0,
          low_open=True, typical=(0.001, 1)),
    Input("cv", "number", "coefficient of variation of request service times (0: fixed lengths)", default=0.0,
          low=0, typical=(0.0, 2.0)),
    Input("matmul_efficiency", "fraction", "achievable fraction of peak in GEMMs (default: the hardware's)",
          default=None, low=0, high=1, low_open=True, typical=(0.4, 0.95)),
    Input("memory_efficiency", "fraction", "achievable fraction of HBM bandwidth (default: the hardware's)",
          default=None, low=0, high=1, low_open=True, typical=(0.5, 0.95)),
    Input("scale_up", "network", "fabric between the replica's devices (default: the hardware's)", default=None),
    Input("power", "power", "average power per device (default: its TDP)", default=None, low=0, low_open=True,
          typical=(50, 2000)),
    Input("pue", "number", "datacenter PUE (default: the region's, else 1.1)", default=None, low=1,
          typical=(1.0, 2.0)),
    Input("region", "grid", "grid region for carbon (default: world average)", default=None),
    Input("intensity", "carbon_intensity", "grid carbon intensity, instead of a region", default=None, low=0,
          typical=(1e-9, 3e-7)),
    Input("price_per_device_hour", "money_rate", "rental price per device-hour", default=None, low=0,
          typical=(1e-4, 3e-3)),
]

OUTPUTS = [
    Output("ttft", "time", "time to first token of a request (its prefill, unqueued)"),
    Output("itl", "time", "time between a user's tokens, prefills of other requests included"),
    Output("decode_step", "time", "one decode step alone"),
    Output("latency", "time", "end-to-end time of one request, unqueued"),
    Output("p99_latency", "time", "99th-percentile end-to-end latency at the arrival rate, queueing included"),
    Output("per_user_tokens_per_s", "rate", "tokens per second one user sees"),
    Output("throughput", "rate", "output tokens per second of one replica"),
    Output("batch", "count", "sequences decoded together"),
    Output("max_concurrency", "count", "sequences whose KV cache fits in the replica"),
    Output("memory_per_device", "bytes", "weights plus the batch's KV cache per device"),
    Output("memory_available", "bytes", "memory of one device"),
    Output("replicas", "count", "replicas the arrival rate and P99 target need"),
    Output("replicas_for_load", "count", "replicas the arrival rate alone needs (utilization < 100 %)"),
    Output("utilization", "fraction", "busy share of the replicas at the arrival rate"),
    Output("meets_sla", "flag", "whether every target given is met"),
    Output("cost_per_million_tokens", "money", "device cost per million output tokens"),
    Output("energy_per_token", "energy", "device energy per output token"),
    Output("carbon_per_million_tokens", "carbon", "emissions per million output tokens, PUE included"),
    Output("matmul_efficiency", "fraction", "achievable fraction of peak FLOP/s used"),
    Output("memory_efficiency", "fraction", "achievable fraction of HBM bandwidth used"),
    Output("regime", "text", "what bounds a decode step: reading weights and KV cache (memory-bound), arithmetic "
           "(compute-bound), or its kernels' fixed launch and collective latency (overhead-bound)"),
    *(Output(f"{which}_{kind}_share", "fraction", f"share of {what} spent in {label}")
      for which, what in (("ttft", "the time to first token"), ("itl", "each step between tokens"))
      for kind, label in WORK_KINDS),
    Output("binding_wall", "text", "the wall that limits the deployment"),
]


def explain(r) -> str:
    text = (f"{r.fmt('model')} on {r.fmt('devices')} × {r.fmt('hardware')}: the first token after "
            f"{r.fmt('ttft')}, then a token every {r.fmt('itl')} ({r.fmt('regime')} decode at batch "
            f"{r.fmt('batch')} of at most {r.fmt('max_concurrency')}), {r.fmt('throughput')} output tokens per "
            f"replica, {r.fmt('latency')} per request.")
    if r.outputs["p99_latency"] is not None:
        text += (f" At {r.fmt('rate')} requests it takes {r.fmt('replicas')} replica(s) "
                 f"({r.fmt('utilization')} busy) for a P99 of {r.fmt('p99_latency')}.")
    if r.outputs["cost_per_million_tokens"] is not None:
        text += f" Cost: {r.fmt('cost_per_million_tokens')} per million tokens."
    text += f" {_largest(r, 'ttft', 'The prefill')} {_largest(r, 'itl', 'Each step')}"
    return text + f" Binding wall: {r.fmt('binding_wall')}."


def _largest(r, which: str, subject: str) -> str:
    """Names the kind of work that takes most of a prefill or a step (the first point of a sweep)."""
    share = {label: float(np.ravel(r.outputs[f"{which}_{kind}_share"])[0]) for kind, label in WORK_KINDS}
    label = max(share, key=share.get)
    return f"{subject} spends {100 * share[label]:.0f}% of its time in {label.split(' (')[0]}."
