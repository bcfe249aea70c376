"""The serving scenario: one model replica's latency and throughput, and the fleet an SLA needs.

A replica is `devices` accelerators in tensor parallelism holding the weights once and a KV
cache per sequence (Wall 5). Its decode step and prefill come from the kernels
(`serving_step.py`, Walls 2 and 4); with continuous batching every step also absorbs the
prefills of the requests that replace finished ones. Replicas for an arrival rate and a P99
target come from queueing (Wall 7); cost, energy and carbon per token from Walls 17 and 18.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from mlsysim.errors import InfeasibleError, InvalidInputError
from mlsysim.precision import bytes_per_element
from mlsysim.scenarios.fabric import Fabric, resolve_network
from mlsysim.scenarios.kernels import Rates
from mlsysim.scenarios.serving_fleet import fleet
from mlsysim.scenarios.serving_outputs import INPUTS, OUTPUTS, explain
from mlsysim.scenarios.serving_step import decode_step_time, prefill_flops, prefill_time, shares
from mlsysim.walls.core import Constraint, Example, Wall
from mlsysim.walls.support import choose


def _footprint(v):
    """(bytes of the weights, once; bytes of one sequence's KV cache at full length)."""
    m = v["model"]
    tokens = v["prompt_tokens"] + v["output_tokens"] + v["reasoning_tokens"]
    return m.params * bytes_per_element(v["precision"]), m.kv_bytes_per_token(v["kv_precision"]) * tokens


def _usable(v):
    """Memory of one device left for weights and cache after the reserve."""
    return v["hardware"].memory_bytes * (1.0 - v["reserve"])


def capacity(v):
    """(weights per device, largest batch whose KV cache fits) for the replica."""
    weights, per_sequence = _footprint(v)
    weights = weights / v["devices"]
    budget = (_usable(v) - weights) * v["devices"]
    return weights, np.floor(np.maximum(budget, 0.0) / per_sequence)


def evaluate(**v):
    m, h, tp = v["model"], v["hardware"], v["devices"]
    weights, most = capacity(v)
    batch = most if v["batch"] is None else v["batch"]
    if v["max_batch"] is not None:
        batch = np.minimum(batch, v["max_batch"])
    rates = Rates.of(h, _math_precision(h, v["precision"]), v["matmul_efficiency"], v["memory_efficiency"])
    network = resolve_network(v["scale_up"], h.scale_up_fabric)
    if network is None and not h.scale_up_bandwidth and np.any(tp > 1):
        raise InvalidInputError(f"scale_up: {h.name} has no scale-up fabric on record, so {int(np.max(tp))} devices "
                                f"cannot share a replica; give scale_up (e.g. 'pcie5-x16')", parameter="scale_up")
    fabric = Fabric.of(network, h.scale_up_bandwidth or 0.0, "scale-up")
    element = bytes_per_element(v["precision"])
    prefill_parts = prefill_time(m, v["prompt_tokens"], tp, element, rates, fabric)
    prefill = prefill_parts["time"]
    generated = v["output_tokens"] + v["reasoning_tokens"]
    context = v["prompt_tokens"] + generated / 2.0
    decode = decode_step_time(m, batch, context, tp, element, v["kv_precision"], rates, fabric)
    decode["fixed_time"] = decode["step"] - decode_step_time(m, batch, context, tp, element, v["kv_precision"],
                                                             replace(rates, launch=0.0),
                                                             replace(fabric, latency=0.0, call_latency=0.0))["step"]
    if v["batching"] == "static":  # the batch's prompts prefill together, then it decodes in lockstep
        batch_prefill = np.maximum(batch * prefill_flops(m, v["prompt_tokens"], tp) / rates.matmul, prefill)
        step, step_parts = decode["step"], decode
        latency = batch_prefill + generated * step
        throughput = batch * v["output_tokens"] / latency
    else:
        # In-flight batching: each step, batch/generated requests finish and their replacements'
        # prompts are prefilled in the same iteration, kernel by kernel (`decode_step_time`).
        arriving = batch / generated * v["prompt_tokens"]
        step_parts = decode_step_time(m, batch, context, tp, element, v["kv_precision"], rates, fabric,
                                      prefill_tokens=arriving, prompt=v["prompt_tokens"])
        step = step_parts["step"]
        latency = prefill + generated * step
        throughput = batch / step * v["output_tokens"] / generated
    out = {"ttft": prefill, "itl": step, "decode_step": decode["step"], "latency": latency,
           "per_user_tokens_per_s": 1.0 / step, "throughput": throughput, "batch": batch + 0.0 * step,
           "max_concurrency": most, "memory_per_device": weights + batch * _kv_per_device(v),
           "memory_available": h.memory_bytes,
           "matmul_efficiency": rates.matmul_efficiency, "memory_efficiency": rates.memory_efficiency,
           "regime": _regime(decode), **shares(prefill_parts, prefill, "ttft"),
           **shares(step_parts, step, "itl")}
    out.update(fleet(v, h, latency, throughput, batch, step, prefill))
    out["binding_wall"] = _binding(v, decode, batch, most, out)
    return out


def _math_precision(hardware, precision):
    """Weight-only formats (int4, fp4 on older chips) still multiply in 16-bit."""
    return precision if hardware.has_precision(precision) else "bf16"


def _kv_per_device(v):
    tokens = v["prompt_tokens"] + v["output_tokens"] + v["reasoning_tokens"]
    return v["model"].kv_bytes_per_token(v["kv_precision"]) * tokens / v["devices"]


def _bounds(decode):
    """(memory-bound, overhead-bound) of a decode step: the larger of reading the weights and KV
    cache, the arithmetic, and the fixed time of its kernels and collectives (launches, latencies)."""
    memory = decode["weight_read_time"] + decode["kv_read_time"]
    compute, fixed = decode["compute_time"], decode["fixed_time"]
    overhead = (fixed > memory) & (fixed > compute)
    return (memory >= compute) & ~overhead, overhead


def _regime(decode):
    memory_bound, overhead = _bounds(decode)
    return choose(overhead, "overhead-bound", choose(memory_bound, "memory-bound", "compute-bound"))


def _binding(v, decode, batch, most, out):
    memory_bound, overhead = _bounds(decode)
    per_replica = choose(overhead, "software",
                         choose(memory_bound, choose(batch >= most, "batching", "memory"), "compute"))
    if v["rate"] is None:
        return per_replica
    return choose(out["replicas"] > out["replicas_for_load"], "tail-latency", per_replica)


def _fits(v):
    _, most = capacity(v)
    return most >= 1 if v["batch"] is None else v["batch"] <= most


def _devices_to_fit(v):
    """Fewest devices whose memory holds the weights once plus the batch's KV cache (power of two, TP-style)."""
    weights, per_sequence = _footprint(v)
    batch = 1.0 if v["batch"] is None else v["batch"]
    devices = (weights + batch * per_sequence) / _usable(v)
    return 2.0 ** np.ceil(np.log2(np.maximum(devices, 1.0)))


def _fit_message(v, bad):
    if np.ndim(bad):  # name the first failing point of a sweep
        where = np.argwhere(bad)[0]
        v = {k: (np.broadcast_to(x, bad.shape)[tuple(where)] if isinstance(x, np.ndarray) and x.ndim else x)
             for k, x in v.items()}
    at_batch = "one sequence" if v["batch"] is None else f"a batch of {float(v['batch']):g}"
    return (f"memory: the weights and the KV cache of {at_batch} do not fit in {float(v['devices']):g} device(s) "
            f"of {v['hardware'].name}; {float(_devices_to_fit(v)):g} would hold them (devices), or lower the "
            f"batch or quantize (precision)")


SERVING = Wall(
    number=None, slug="serving-deployment", title="Serving deployment", domain="composition",
    question="How fast does a model serve, how many replicas does the traffic need, and at what cost?",
    equation="ITL = max(bytes read / BW, FLOPs / peak) per step;  replicas = min{r : P99(r) ≤ target}",
    latex=r"\mathrm{ITL}=\max\!\left(\tfrac{W+KV}{BW},\tfrac{F}{P}\right),\ r^*=\min\{r: P_{99}(r)\le T\}",
    explanation=(
        "Serving splits into a compute-bound prefill, which sets the time to first token, and "
        "memory-bound decode steps, which set the time between tokens until the batch is large "
        "enough for arithmetic to dominate. The KV cache decides how large the batch can grow. "
        "Replicas add capacity; queueing theory says how many keep the tail latency under a target "
        "at a given arrival rate. Cost, energy and carbon per token follow from the devices' time."),
    inputs=INPUTS, outputs=OUTPUTS,
    constraints=[Constraint(_fits, _fit_message, "devices", error=InfeasibleError)],
    evaluate=evaluate, explain=explain, headline="itl", regimes=("memory-bound", "compute-bound", "overhead-bound"),
    examples=[Example({"model": "llama-3-70b", "hardware": "h200", "devices": 2, "prompt_tokens": 2048,
                       "output_tokens": 256, "batch": 32, "rate": "10/s", "p99": "20 s"}, {},
                      source="a chat deployment: Llama 3 70B on H200 pairs at 10 requests per second")],
    caveats=("Decode context is the average over the generation; prefills interleave with decode at "
             "full efficiency; waits use the M/M/c Erlang C scaled by the Allen–Cunneen factor (1 + cv²)/2."),
)
