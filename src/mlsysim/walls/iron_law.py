"""The Iron Law: training time from its five terms, and each loss term's share of the gap."""

from __future__ import annotations

import math

import numpy as np

from mlsysim.arrays import scalar
from mlsysim.walls.core import Constraint, Example, Input, Output, Wall
from mlsysim.walls.support import choose, peak_flops_of, where


def evaluate(flops, devices, peak_flops, hardware, precision, mfu, eta_scaling, goodput):
    peak = peak_flops if peak_flops is not None else peak_flops_of(hardware, precision)
    ideal = flops / (devices * peak)
    time = ideal / (mfu * eta_scaling * goodput)
    # ln T − ln T_ideal = −ln MFU − ln η − ln Goodput: additive, so each share is exact.
    log = math.log if scalar(mfu, eta_scaling, goodput) else np.log
    losses = {"mfu": -log(mfu), "eta_scaling": -log(eta_scaling), "goodput": -log(goodput)}
    total = losses["mfu"] + losses["eta_scaling"] + losses["goodput"]
    share = {k: where(total > 0, loss / where(total > 0, total, 1.0), 0.0) for k, loss in losses.items()}
    largest = choose(share["mfu"] >= np.maximum(share["eta_scaling"], share["goodput"]), "software",
                     choose(share["eta_scaling"] >= share["goodput"], "communication", "checkpoint"))
    return {"time": time, "ideal_time": ideal, "fleet_peak": devices * peak, "useful_flops": devices * peak * mfu
            * eta_scaling * goodput, "mfu_share": share["mfu"], "eta_share": share["eta_scaling"],
            "goodput_share": share["goodput"], "peak_flops": peak, "regime": largest}


def explain(r) -> str:
    return (f"{r.fmt('flops')} on {r.fmt('devices')} devices of {r.fmt('peak_flops')} would take {r.fmt('ideal_time')} "
            f"at peak; MFU {r.fmt('mfu')}, η_scaling {r.fmt('eta_scaling')} and goodput {r.fmt('goodput')} stretch it "
            f"to {r.fmt('time')}. Of that stretch (in log terms) MFU accounts for {r.fmt('mfu_share')}, scaling for "
            f"{r.fmt('eta_share')} and goodput for {r.fmt('goodput_share')}: the {r.fmt('regime')} wall binds.")


WALL = Wall(
    number=None,
    slug="iron-law",
    title="The Iron Law",
    domain="composition",
    question="How long does a training job take, given its FLOPs and the five terms that deliver them?",
    equation="time = FLOPs / (N × Peak × MFU × η_scaling × Goodput)",
    latex=r"T = \frac{F}{N\cdot P_\text{peak}\cdot \mathrm{MFU}\cdot\eta_\text{scaling}\cdot G}",
    explanation=(
        "Every training run is total arithmetic divided by useful arithmetic per second. The "
        "denominator is the number of devices times their peak rate, discounted three times: by the "
        "software's efficiency on one device (MFU), by what communication and pipeline bubbles leave "
        "when devices work together (η_scaling), and by the time failures and checkpoints throw away "
        "(goodput). Because the terms multiply, their logarithms add, so the share of the loss each "
        "one causes is exact — and the biggest share names the wall to attack first."
    ),
    inputs=[
        Input("flops", "flops", "total training FLOPs (6·N·D plus attention)", low=0, low_open=True,
              typical=(1e18, 1e27)),
        Input("devices", "count", "accelerators (N)", low=1, typical=(1, 1e5)),
        Input("peak_flops", "flop_rate", "peak FLOP/s of one device (instead of hardware)", default=None, low=0,
              low_open=True, typical=(1e13, 1e16)),
        Input("hardware", "hardware", "accelerator whose peak to use", default=None),
        Input("precision", "precision", "precision of the peak", default="bf16"),
        Input("mfu", "fraction", "model FLOPs utilization of the kernels", default=0.5, low=0, high=1,
              low_open=True, typical=(0.2, 0.8)),
        Input("eta_scaling", "fraction", "share left by communication and bubbles", default=1.0, low=0, high=1,
              low_open=True, typical=(0.5, 1.0)),
        Input("goodput", "fraction", "share left by failures and checkpoints", default=1.0, low=0, high=1,
              low_open=True, typical=(0.7, 1.0)),
    ],
    outputs=[
        Output("time", "time", "wall-clock training time"),
        Output("ideal_time", "time", "time at 100 % of peak on every device"),
        Output("fleet_peak", "flop_rate", "N × Peak"),
        Output("useful_flops", "flop_rate", "FLOP/s the fleet actually delivers"),
        Output("mfu_share", "fraction", "share of ln(time/ideal) due to MFU"),
        Output("eta_share", "fraction", "share due to η_scaling"),
        Output("goodput_share", "fraction", "share due to goodput"),
        Output("peak_flops", "flop_rate", "peak FLOP/s of one device"),
        Output("regime", "text", "the wall behind the largest loss"),
    ],
    constraints=[Constraint(lambda v: v["peak_flops"] is not None or v["hardware"] is not None,
                            "iron-law: give peak_flops, or hardware (and precision)", "peak_flops")],
    inverses={("time", "devices"): lambda target, v: v["flops"] / (target * v["peak_flops"] * v["mfu"]
                                                                   * v["eta_scaling"] * v["goodput"])},
    regimes=("software", "communication", "checkpoint"),
    evaluate=evaluate,
    explain=explain,
    headline="time",
    examples=[
        Example({"flops": "3.14e23 FLOP", "devices": 1024, "peak_flops": "312 TFLOPS", "mfu": 0.5,
                 "eta_scaling": 0.9, "goodput": 0.95},
                {"ideal_time": 9.828e5, "time": 2.299e6}, rtol=0.002,
                source="GPT-3's 3.14e23 FLOPs (Brown et al. 2020) on 1,024 A100s at 312 TFLOP/s: "
                       "3.14e23 / 3.195e17 = 9.83e5 s ideal; / (0.5 × 0.9 × 0.95) = 2.30e6 s ≈ 26.6 days"),
    ],
    caveats="Takes the five terms as given; the training scenario predicts them from the physics.",
)
