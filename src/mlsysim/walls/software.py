"""Wall 3, software: model FLOPs utilization (MFU) and hardware FLOPs utilization (HFU)."""

from __future__ import annotations

from mlsysim.specs.arch import inference
from mlsysim.walls.core import Constraint, Example, Input, Output, Wall
from mlsysim.walls.support import choose, peak_flops_of


def _model_flops(model, sequence_length):
    """Training FLOPs per token: 3 × forward (6·N plus the attention term, PaLM appendix B)."""
    forward = inference.flops_per_token(model.inference, sequence_length)
    attention = model.inference.attention_coefficient * sequence_length
    return 3.0 * forward, forward, attention


def evaluate(achieved_flops, peak_flops, hardware, precision, tokens_per_second, model, devices,
             sequence_length, recompute):
    if peak_flops is None:
        peak_flops = peak_flops_of(hardware, precision)
    model_flops_per_token = None
    extra = 0.0  # recomputed FLOPs per model FLOP
    if model is not None:
        seq = sequence_length if sequence_length is not None else model.context_length
        model_flops_per_token, forward, attention = _model_flops(model, seq)
        # Full recomputation repeats the forward pass; selective recomputes only the attention
        # core (Korthikanti et al. 2022, "Reducing Activation Recomputation", section 4).
        extra = {"none": 0.0, "full": forward, "selective": attention}[recompute] / model_flops_per_token
    elif recompute == "full":
        extra = 1.0 / 3.0
    if achieved_flops is None:
        achieved_flops = tokens_per_second * model_flops_per_token / devices
    mfu = achieved_flops / peak_flops
    hardware_flops = achieved_flops * (1.0 + extra)
    return {
        "mfu": mfu, "hfu": hardware_flops / peak_flops, "achieved_flops": achieved_flops,
        "hardware_flops": hardware_flops, "peak_flops": peak_flops,
        "model_flops_per_token": model_flops_per_token, "lost_fraction": 1.0 - mfu,
        # Bands from the MFUs PaLM reports (Chowdhery et al. 2022, table 3): GPT-3 21 %,
        # Gopher 33 %, MT-NLG 30 %, PaLM 46 %.
        "regime": choose(mfu >= 0.45, "excellent", choose(mfu >= 0.3, "good", choose(mfu >= 0.2, "fair", "poor"))),
    }


def _achieved_within_peak(v) -> bool:
    if v["achieved_flops"] is None or v["peak_flops"] is None:
        return True
    return v["achieved_flops"] <= v["peak_flops"]


def explain(r) -> str:
    text = (f"{r.fmt('achieved_flops')} of model FLOPs per device out of a {r.fmt('peak_flops')} peak is an "
            f"MFU of {r.fmt('mfu')} ({r.fmt('regime')}); {r.fmt('lost_fraction')} of the silicon's time goes to "
            f"memory stalls, communication, launches and idling.")
    if r.inputs["recompute"] != "none":
        text += f" With {r.fmt('recompute')} recomputation the hardware does more work: HFU {r.fmt('hfu')}."
    return text


WALL = Wall(
    number=3,
    slug="software",
    title="The Software Wall",
    domain="node",
    question="How much of the chip's peak does the software actually use?",
    equation="MFU = achieved model FLOP/s / peak FLOP/s;  achieved = tokens/s × (6N + attention) / devices",
    latex=r"\mathrm{MFU}=\frac{\dot{F}_\text{model}}{P_\text{peak}},\quad \mathrm{HFU}=\frac{\dot{F}_\text{model}+\dot{F}_\text{recompute}}{P_\text{peak}}",
    explanation=(
        "Model FLOPs utilization compares the arithmetic a model strictly needs per second with what "
        "the chip could do. Everything else — waiting on memory, on the network, on kernel launches, "
        "on the data loader — shows up as the gap. Hardware FLOPs utilization also credits work the "
        "hardware does but the model does not need, such as recomputing activations to save memory, "
        "so HFU ≥ MFU; comparing systems fairly needs MFU."
    ),
    inputs=[
        Input("achieved_flops", "flop_rate", "model FLOP/s achieved per device (or give tokens_per_second and model)",
              default=None, low=0, low_open=True, typical=(1e12, 1e15)),
        Input("peak_flops", "flop_rate", "peak FLOP/s per device (instead of hardware)", default=None, low=0,
              low_open=True, typical=(1e13, 1e16)),
        Input("hardware", "hardware", "accelerator whose peak to use", default=None),
        Input("precision", "precision", "precision of the math", default="bf16"),
        Input("tokens_per_second", "rate", "training throughput of the whole job, tokens/s", default=None,
              low=0, low_open=True, typical=(1e3, 1e8)),
        Input("model", "model", "model being trained (for FLOPs per token)", default=None),
        Input("devices", "count", "devices in the job", default=1, low=1, integer=True, typical=(1, 16384)),
        Input("sequence_length", "count", "training sequence length (default: the model's context)",
              default=None, low=1, typical=(512, 131072)),
        Input("recompute", "choice", "activation recomputation", default="none",
              choices=("none", "selective", "full")),
    ],
    outputs=[
        Output("mfu", "fraction", "model FLOPs utilization"),
        Output("hfu", "fraction", "hardware FLOPs utilization (counts recomputation)"),
        Output("achieved_flops", "flop_rate", "model FLOP/s per device"),
        Output("hardware_flops", "flop_rate", "FLOP/s per device including recomputation"),
        Output("peak_flops", "flop_rate", "peak FLOP/s per device"),
        Output("model_flops_per_token", "flops", "training FLOPs per token (6N + attention)"),
        Output("lost_fraction", "fraction", "share of peak not turned into model FLOPs"),
        Output("regime", "text", "excellent (≥ 45 %), good, fair or poor (< 20 %)"),
    ],
    constraints=[
        Constraint(lambda v: v["achieved_flops"] is not None or (v["tokens_per_second"] is not None
                                                                 and v["model"] is not None),
                   "software: give achieved_flops, or tokens_per_second and model", "achieved_flops"),
        Constraint(lambda v: v["peak_flops"] is not None or v["hardware"] is not None,
                   "software: give peak_flops, or hardware (and precision)", "peak_flops"),
        Constraint(_achieved_within_peak, "achieved_flops: {achieved_flops} exceeds the peak {peak_flops}; "
                   "MFU cannot pass 100%", "achieved_flops"),
    ],
    inverses={("mfu", "achieved_flops"): lambda target, v: target * v["peak_flops"]},
    regimes=("excellent", "good", "fair", "poor"),
    evaluate=evaluate,
    explain=explain,
    headline="mfu",
    examples=[
        Example({"achieved_flops": "450 TFLOPS", "peak_flops": "989 TFLOPS"}, {"mfu": 0.455}, rtol=0.002,
                source="spec, Wall 3: 450 achieved of 989 TFLOP/s peak is 45.5 %"),
    ],
    caveats="Takes the FLOP count of dense matmuls and attention; element-wise work is not credited.",
    sources=("Chowdhery et al., 'PaLM', 2022, appendix B", "Korthikanti et al., 'Reducing Activation "
             "Recomputation in Large Transformer Models', 2022"),
)
