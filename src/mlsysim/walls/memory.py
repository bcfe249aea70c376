"""Wall 2, memory: how long it takes to stream bytes through HBM, and the roofline around it."""

from __future__ import annotations

import numpy as np

from mlsysim.precision import bytes_per_element
from mlsysim.walls.core import Constraint, Example, Input, Output, Wall
from mlsysim.walls.support import choose, field_of, peak_flops_of


def evaluate(weight_bytes, model, bandwidth, hardware, flops, peak_flops, precision):
    if weight_bytes is None:  # the model's weights at the precision
        weight_bytes = model.params * bytes_per_element(precision)
    if bandwidth is None:
        bandwidth = field_of(hardware, "memory_bandwidth", "bandwidth")
    memory_time = weight_bytes / bandwidth
    if peak_flops is None and hardware is not None:
        peak_flops = peak_flops_of(hardware, precision)
    outputs = {"time": memory_time, "weight_bytes": weight_bytes, "bandwidth": bandwidth, "peak_flops": peak_flops, "intensity": None, "ridge_point": None,
               "attainable_flops": None, "compute_time": None, "bound_time": memory_time,
               "regime": "memory-bound"}
    if flops is not None and peak_flops is not None:
        # Roofline (Williams, Waterman & Patterson 2009): attainable = min(peak, intensity × bandwidth).
        intensity = flops / weight_bytes
        ridge = peak_flops / bandwidth
        compute_time = flops / peak_flops
        outputs.update(intensity=intensity, ridge_point=ridge,
                       attainable_flops=np.minimum(peak_flops, intensity * bandwidth),
                       compute_time=compute_time, bound_time=np.maximum(memory_time, compute_time),
                       regime=choose(intensity < ridge, "memory-bound", "compute-bound"))
    return outputs


def explain(r) -> str:
    text = f"Reading {r.fmt('weight_bytes')} at {r.fmt('bandwidth')} takes {r.fmt('time')}."
    if r.outputs["intensity"] is not None:
        text += (f" With {r.fmt('flops')} of work the intensity is {r.fmt('intensity')} against a ridge "
                 f"point of {r.fmt('ridge_point')}, so the work is {r.fmt('regime')}: at best "
                 f"{r.fmt('attainable_flops')}, taking {r.fmt('bound_time')}.")
    return text


WALL = Wall(
    number=2,
    slug="memory",
    title="The Memory Wall",
    domain="node",
    question="How long does it take to stream the bytes through memory?",
    equation="time = weight_bytes / bandwidth;  attainable = min(peak, intensity × bandwidth)",
    latex=r"T = \frac{B_\text{weights}}{BW_\text{HBM}},\quad P = \min(P_\text{peak},\ I \cdot BW)",
    explanation=(
        "Weights live in off-chip memory (HBM) and every use of them has to cross a pipe of fixed "
        "width. The bytes divided by the bandwidth is the least time any pass over them can take. "
        "The roofline puts this next to Wall 1: work with fewer FLOPs per byte than the chip's "
        "ridge point (peak ÷ bandwidth) waits on memory, work with more waits on arithmetic. LLM "
        "decoding at small batch sits far below the ridge, which is why bandwidth, not FLOP/s, sets "
        "chatbot speed."
    ),
    inputs=[
        Input("weight_bytes", "bytes", "bytes to read from memory (weights, KV cache, activations)",
              default=None, low=0, low_open=True, typical=(1e6, 1e12)),
        Input("model", "model", "a model whose weights are read (instead of weight_bytes)", default=None),
        Input("bandwidth", "bandwidth", "memory bandwidth (instead of hardware)", default=None,
              low=0, low_open=True, typical=(1e10, 1e13)),
        Input("hardware", "hardware", "accelerator whose HBM bandwidth (and peak) to use", default=None),
        Input("flops", "flops", "operations done on those bytes, for the roofline", default=None,
              low=0, low_open=True, typical=(1e6, 1e15)),
        Input("peak_flops", "flop_rate", "peak compute rate, for the roofline", default=None,
              low=0, low_open=True, typical=(1e12, 1e16)),
        Input("precision", "precision", "precision of the math and of the model's weights", default="bf16"),
    ],
    outputs=[
        Output("time", "time", "time to stream the bytes"),
        Output("weight_bytes", "bytes", "bytes read"),
        Output("bandwidth", "bandwidth", "bandwidth used"),
        Output("peak_flops", "flop_rate", "peak compute rate used for the roofline"),
        Output("intensity", "intensity", "arithmetic intensity: FLOPs per byte (needs flops)"),
        Output("ridge_point", "intensity", "intensity at which compute and memory balance"),
        Output("attainable_flops", "flop_rate", "the roofline: min(peak, intensity × bandwidth)"),
        Output("compute_time", "time", "time the math alone would take at peak"),
        Output("bound_time", "time", "the larger of memory and compute time"),
        Output("regime", "text", "memory-bound or compute-bound"),
    ],
    constraints=[
        Constraint(lambda v: v["weight_bytes"] is not None or v["model"] is not None,
                   "memory: give weight_bytes, or a model (and precision)", "weight_bytes"),
        Constraint(lambda v: v["bandwidth"] is not None or v["hardware"] is not None,
                   "memory: give bandwidth, or hardware", "bandwidth"),
    ],
    inverses={("time", "bandwidth"): lambda target, v: v["weight_bytes"] / target,
              ("time", "weight_bytes"): lambda target, v: target * v["bandwidth"]},
    regimes=("memory-bound", "compute-bound"),
    evaluate=evaluate,
    explain=explain,
    headline="time",
    examples=[
        Example({"weight_bytes": "16 GB", "bandwidth": "3.35 TB/s"}, {"time": 4.776e-3},
                source="spec, Wall 2: 16 GB at 3.35 TB/s takes 4.8 ms"),
        Example({"weight_bytes": "16 GB", "hardware": "H100", "flops": "32 GFLOP"},
                {"time": 4.776e-3, "ridge_point": 295.3},
                source="H100 SXM datasheet: 989.4 TFLOP/s BF16 dense, 3.35 TB/s; decode at batch 1 does "
                       "2 FLOPs per weight byte pair"),
    ],
    caveats="Uses the nominal bandwidth unless you pass a measured one; caches and reuse are ignored.",
)
