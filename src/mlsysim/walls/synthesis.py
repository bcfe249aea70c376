"""Wall 22, synthesis: the inverse roofline, and which accelerators (how many) meet a latency target."""

from __future__ import annotations

import numpy as np

from mlsysim.analysis.synthesis import hardware_options
from mlsysim.arrays import scalar
from mlsysim.walls.core import Example, Input, Output, Wall


def _counts(weight_bytes, bandwidth, compute, kv_bytes, precision, max_devices):
    """(fewest devices of any accelerator, accelerators that suffice alone), broadcasting.

    Per accelerator, a group must hold the bytes, stream them and do the arithmetic: it needs the
    largest of the three ratios, rounded up to a tensor-parallel group size. Rounding up is
    monotone, so the fewest devices of any accelerator is the smallest ratio, rounded once.
    """
    from mlsysim.analysis.synthesis import TENSOR_PARALLEL, fleet

    chips = fleet(precision)
    resident = weight_bytes + kv_bytes
    shape = np.broadcast(weight_bytes, bandwidth, compute, kv_bytes).shape

    def ratio(memory, stream, peak):  # devices of one kind (or of each, as an array) the point needs
        with np.errstate(divide="ignore", invalid="ignore"):  # no math at this precision: any compute is ∞
            arithmetic = np.where(compute > 0, np.divide(compute, peak), 0.0)
        return np.maximum(np.maximum(resident / memory, bandwidth / stream), arithmetic)

    if not shape:  # one point: every accelerator at once
        ratios = ratio(chips.memory, chips.bandwidth, chips.peak)
        smallest, alone = ratios.min(initial=np.inf), float((ratios <= 1.0).sum())
    else:  # a sweep: one accelerator at a time, so memory stays one array of the sweep's size
        smallest, alone = np.full(shape, np.inf), np.zeros(shape)
        for memory, stream, peak in zip(chips.memory, chips.bandwidth, chips.peak):
            ratios = ratio(memory, stream, peak)
            smallest = np.minimum(smallest, ratios)
            alone += ratios <= 1.0
    sizes = np.array(TENSOR_PARALLEL, dtype=float)
    index = np.searchsorted(sizes, smallest)  # the first group size ≥ the ratio
    fewest = sizes[np.minimum(index, sizes.size - 1)]
    return np.where((index < sizes.size) & (fewest <= max_devices), fewest, np.nan), alone * (max_devices >= 1)


def evaluate(weight_bytes, target_latency, flops, kv_bytes, precision, max_devices):
    bandwidth = weight_bytes / target_latency
    compute = flops / target_latency
    options = None
    if scalar(weight_bytes, target_latency, flops):
        options = hardware_options(float(weight_bytes), float(target_latency), flops=float(flops),
                                   kv_bytes=float(kv_bytes), precision=precision, max_devices=int(max_devices))
    fewest, alone = _counts(weight_bytes, bandwidth, compute, kv_bytes, precision, max_devices)
    best = options[0] if options else None
    return {"required_bandwidth": bandwidth, "required_flops": compute, "options": options,
            "best": None if best is None else f"{best['devices']} × {best['name']}",
            "fewest_devices": fewest, "single_device_options": alone}


def explain(r) -> str:
    text = (f"Reading {r.fmt('weight_bytes')} every {r.fmt('target_latency')} needs {r.fmt('required_bandwidth')} "
            f"of memory bandwidth")
    if r.outputs["required_flops"]:
        text += f" and {r.fmt('required_flops')} of compute"
    options = r.outputs["options"]
    if options is None:
        return text + "."
    if not options:
        return text + "; no accelerator in the registry meets it with up to " + r.fmt("max_devices") + " devices."
    singles = [o["name"] for o in options if o["devices"] == 1]
    text += (f". The fewest devices that do it is {r.fmt('best')}; "
             + (f"{len(singles)} accelerator(s) manage alone, e.g. {', '.join(singles[:3])}." if singles
                else "no single accelerator holds and streams it fast enough."))
    return text


WALL = Wall(
    number=22,
    slug="synthesis",
    title="Synthesis (the inverse roofline)",
    domain="meta",
    question="What hardware would meet a latency target?",
    equation="required bandwidth = weight bytes / target latency;  required FLOP/s = FLOPs / target latency",
    latex=r"BW_\text{req}=\frac{W}{T_\text{target}},\quad P_\text{req}=\frac{F}{T_\text{target}}",
    explanation=(
        "Run the roofline backwards: if every token must stream all the weights within a latency "
        "target, the memory system must deliver weights ÷ target bytes per second, and likewise for "
        "arithmetic. Comparing those requirements with every accelerator in the registry, and with "
        "groups of 2, 4, 8 … in tensor parallelism that also have room for the weights and cache, "
        "turns a service-level goal into a shopping list."
    ),
    inputs=[
        Input("weight_bytes", "bytes", "bytes read per pass (weights, plus cache if you like)", low=0,
              low_open=True, typical=(1e8, 1e13)),
        Input("target_latency", "time", "latency target for one pass (e.g. per decode token)", low=0,
              low_open=True, typical=(1e-3, 10)),
        Input("flops", "flops", "FLOPs per pass (0 to ignore compute)", default=0.0, low=0, typical=(0, 1e15)),
        Input("kv_bytes", "bytes", "KV cache that must also fit in memory", default=0.0, low=0, typical=(0, 1e12)),
        Input("precision", "precision", "precision of the math, for the compute requirement", default="bf16"),
        Input("max_devices", "count", "largest tensor-parallel group to consider", default=64, low=1, integer=True,
              typical=(1, 64)),
    ],
    outputs=[
        Output("required_bandwidth", "bandwidth", "memory bandwidth the target needs"),
        Output("required_flops", "flop_rate", "compute the target needs"),
        Output("options", "data", "each accelerator with the fewest devices that meet the target"),
        Output("best", "text", "the option with the fewest devices"),
        Output("fewest_devices", "count", "devices in that option"),
        Output("single_device_options", "count", "accelerators that meet the target alone"),
    ],
    inverses={("required_bandwidth", "target_latency"): lambda target, v: v["weight_bytes"] / target},
    evaluate=evaluate,
    explain=explain,
    headline="required_bandwidth",
    examples=[
        Example({"weight_bytes": "140 GB", "target_latency": "50 ms"}, {"required_bandwidth": 2.8e12},
                rtol=1e-9, source="spec, Wall 22: 140 GB at 50 ms per token needs 2.8 TB/s"),
    ],
    caveats="Counts nominal bandwidth and ideal tensor parallelism; the serving scenario adds overheads.",
)
