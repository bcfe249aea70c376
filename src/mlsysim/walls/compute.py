"""Wall 1, compute: how long the arithmetic takes at the chip's (achievable) peak."""

from __future__ import annotations

from mlsysim.walls.core import Constraint, Example, Input, Output, Wall
from mlsysim.walls.support import peak_flops_of


def evaluate(flops, model, samples, peak_flops, hardware, precision, efficiency):
    if flops is None:  # one forward pass of the model per sample (an image, or a full context)
        flops = samples * model.flops_per_sample()
    peak = peak_flops if peak_flops is not None else peak_flops_of(hardware, precision)
    if efficiency is None:  # the law at the nominal peak; scenarios use measured fractions
        efficiency = 1.0
    rate = peak * efficiency
    return {
        "time": flops / rate,
        "flops": flops,
        "multiply_adds": flops / 2.0,
        "peak_flops": peak,
        "efficiency": efficiency,
        "effective_flops": rate,
    }


def explain(r) -> str:
    return (f"{r.fmt('flops')} of math (= {r.fmt('multiply_adds')} multiply-adds; one multiply-add is "
            f"2 FLOPs) at {r.fmt('efficiency')} of a {r.fmt('peak_flops')} peak ({r.fmt('effective_flops')}) "
            f"takes {r.fmt('time')}. No software can beat this: it is the arithmetic speed limit.")


WALL = Wall(
    number=1,
    slug="compute",
    title="The Compute Wall",
    domain="node",
    question="How long does the arithmetic take?",
    equation="time = flops / (peak_flops × efficiency)",
    latex=r"T = \frac{\text{FLOPs}}{P_\text{peak}\,\cdot\,\eta}",
    explanation=(
        "Every model needs a fixed amount of arithmetic. Dividing it by the rate the chip can "
        "actually sustain — its peak rate at the chosen precision times the fraction real kernels "
        "reach — gives the shortest time the work can take. Counts are in FLOPs: one multiply-add "
        "(a MAC) is two FLOPs, so '16 GMAC' is read as 32 GFLOP."
    ),
    inputs=[
        Input("flops", "flops", "operations to perform, in FLOPs (write '16 GMAC' for multiply-adds)",
              default=None, low=0, low_open=True, typical=(1e9, 1e21)),
        Input("model", "model", "a model whose forward pass is the work (instead of flops)", default=None),
        Input("samples", "count", "inputs the model processes (with model)", default=1, low=0, low_open=True,
              typical=(1, 1e6)),
        Input("peak_flops", "flop_rate", "peak rate of the chip (instead of hardware + precision)",
              default=None, low=0, low_open=True, typical=(1e12, 1e16)),
        Input("hardware", "hardware", "accelerator whose peak to use", default=None),
        Input("precision", "precision", "numeric precision of the math", default="bf16"),
        Input("efficiency", "fraction", "fraction of peak the kernels reach (default 1: the nominal peak; "
              "the hardware's measured matmul_efficiency is a good value)", default=None, low=0, high=1, low_open=True,
              typical=(0.2, 1.0)),
    ],
    outputs=[
        Output("time", "time", "time to do the math"),
        Output("flops", "flops", "operations counted, in FLOPs"),
        Output("multiply_adds", "count", "the same work in multiply-adds (FLOPs / 2)"),
        Output("peak_flops", "flop_rate", "peak rate used"),
        Output("efficiency", "fraction", "fraction of peak assumed"),
        Output("effective_flops", "flop_rate", "rate actually sustained: peak × efficiency"),
    ],
    constraints=[
        Constraint(lambda v: v["flops"] is not None or v["model"] is not None,
                   "compute: give flops, or a model (and samples)", "flops"),
        Constraint(lambda v: v["peak_flops"] is not None or v["hardware"] is not None,
                   "compute: give peak_flops, or hardware (and precision)", "peak_flops"),
    ],
    inverses={("time", "peak_flops"): lambda target, v: v["flops"] / (target * (v["efficiency"] or 1.0)),},
    evaluate=evaluate,
    explain=explain,
    headline="time",
    examples=[
        Example({"flops": "16 GMAC", "peak_flops": "989 TFLOPS", "efficiency": 0.5},
                {"time": 6.47e-5}, source="spec, Wall 1: 16 billion multiply-adds at 989 TFLOP/s, 50%"),
        Example({"flops": 16e9, "peak_flops": "989 TFLOPS", "efficiency": 0.5},
                {"time": 3.24e-5}, source="spec, Wall 1 ('the math takes 0.03 milliseconds')"),
    ],
    caveats="Assumes the work is perfectly parallel across the chip; memory traffic is Wall 2's job.",
)
