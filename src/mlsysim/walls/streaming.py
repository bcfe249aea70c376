"""Wall 6, streaming: wafer-scale weight streaming, layer by layer, against a GPU's HBM-bound time."""

from __future__ import annotations

import numpy as np

from mlsysim.precision import bytes_per_element
from mlsysim.walls.core import Example, Input, Output, Wall
from mlsysim.walls.support import choose, field_of, per_spec, spec_or_fields


def _units(model):
    """(weights, count) of each distinct streamed unit: block shapes, then the output head."""
    head = ((model.vocab * model.hidden, 1),) if model.lm_head else ()
    return model.layer_groups + head


def evaluate(model, hardware, injection_bandwidth, peak_flops, precision, tokens, efficiency, compare_hardware):
    if injection_bandwidth is None:
        injection_bandwidth = field_of(hardware, "injection_bandwidth", "injection_bandwidth")
    if peak_flops is None:
        peak_flops = per_spec(lambda h, p: h.peak_flops(p), hardware, precision)
    compute = peak_flops * efficiency
    element = bytes_per_element(precision)
    time = injection_time = compute_time = 0.0
    for weights, count in _units(model):
        # Per layer: its weights arrive while the previous layer computes, so the slower wins.
        inject, work = weights * element / injection_bandwidth, 2.0 * weights * tokens / compute
        time = time + count * np.maximum(inject, work)
        injection_time, compute_time = injection_time + count * inject, compute_time + count * work
    weight_bytes = sum(w * c for w, c in _units(model)) * element
    outputs = {"time": time, "injection_time": injection_time, "compute_time": compute_time,
               "weight_bytes": weight_bytes, "injection_bandwidth": injection_bandwidth, "peak_flops": peak_flops,
               # Tokens per pass at which a layer's compute exactly hides its weight injection.
               "balance_tokens": compute * element / (2.0 * injection_bandwidth),
               "regime": choose(injection_time >= compute_time, "injection-bound", "compute-bound"),
               "gpu_time": None, "speedup_vs_gpu": None}
    if compare_hardware is not None:
        gpu_bandwidth = field_of(compare_hardware, "memory_bandwidth", "compare_hardware")
        gpu_peak = per_spec(lambda h, p: h.peak_flops(p), compare_hardware, precision)
        gpu_time = np.maximum(weight_bytes / gpu_bandwidth, 2.0 * weight_bytes / element * tokens / gpu_peak)
        outputs.update(gpu_time=gpu_time, speedup_vs_gpu=gpu_time / time)
    return outputs


def explain(r) -> str:
    text = (f"Streaming {r.fmt('weight_bytes')} of {r.fmt('model')} through a {r.fmt('injection_bandwidth')} "
            f"injection link while computing {r.fmt('tokens')} tokens per pass takes {r.fmt('time')} "
            f"({r.fmt('regime')}: injection alone {r.fmt('injection_time')}, compute alone {r.fmt('compute_time')}). "
            f"Injection hides behind compute from about {r.fmt('balance_tokens')} tokens per pass.")
    if r.outputs["gpu_time"] is not None:
        text += (f" One {r.fmt('compare_hardware')} reading the same weights from HBM would take "
                 f"{r.fmt('gpu_time')} (if they fit).")
    return text


WALL = Wall(
    number=6,
    slug="streaming",
    title="The Streaming Wall",
    domain="node",
    question="How fast can a wafer-scale chip run a model whose weights stream in from outside?",
    equation="time = Σ_layers max(layer weight bytes / injection bandwidth, layer FLOPs / compute)",
    latex=r"T=\sum_{\ell}\max\!\left(\frac{W_\ell}{BW_\text{inj}},\ \frac{2\,W_\ell\,N_\text{tok}}{P\eta}\right)",
    explanation=(
        "A wafer-scale engine keeps activations in its enormous on-chip SRAM and streams the weights "
        "in from external memory servers, one layer at a time, while the previous layer computes. "
        "Each layer therefore costs the slower of moving its weights across the injection link and "
        "doing its arithmetic. With many tokens per pass (large training batches) the compute hides "
        "the streaming; with few (decoding one token) the injection link is the wall — the opposite "
        "of the GPU picture, where HBM bandwidth is."
    ),
    inputs=[
        Input("model", "model", "the model whose weights stream"),
        Input("hardware", "hardware", "wafer-scale system (needs an injection bandwidth)", default=None),
        Input("injection_bandwidth", "bandwidth", "weight-streaming bandwidth into the chip", default=None,
              low=0, low_open=True, typical=(1e10, 1e13)),
        Input("peak_flops", "flop_rate", "peak compute of the chip", default=None, low=0, low_open=True,
              typical=(1e14, 1e18)),
        Input("precision", "precision", "precision of the streamed weights and math", default="fp16"),
        Input("tokens", "count", "tokens processed per pass (batch × sequence)", default=1, low=1,
              typical=(1, 1e7)),
        Input("efficiency", "fraction", "achievable fraction of peak compute", default=1.0, low=0, high=1,
              low_open=True, typical=(0.2, 1.0)),
        Input("compare_hardware", "hardware", "a GPU to compare against (HBM-bound time)", default=None),
    ],
    outputs=[
        Output("time", "time", "time of one pass with weight streaming"),
        Output("injection_time", "time", "time to stream all weights"),
        Output("compute_time", "time", "time for all the arithmetic"),
        Output("weight_bytes", "bytes", "bytes streamed per pass"),
        Output("injection_bandwidth", "bandwidth", "injection bandwidth used"),
        Output("peak_flops", "flop_rate", "peak compute used"),
        Output("balance_tokens", "count", "tokens per pass at which compute hides injection"),
        Output("gpu_time", "time", "the comparison GPU's time for the same pass"),
        Output("speedup_vs_gpu", "number", "GPU time / streaming time"),
        Output("regime", "text", "injection-bound or compute-bound"),
    ],
    constraints=[
        spec_or_fields("streaming", "hardware", "injection_bandwidth", "peak_flops"),
    ],
    regimes=("injection-bound", "compute-bound"),
    evaluate=evaluate,
    explain=explain,
    headline="time",
    examples=[
        Example({"model": "llama-3-70b", "injection_bandwidth": "1.2 Tb/s", "peak_flops": "125 PFLOPS",
                 "tokens": 1, "compare_hardware": "h100"}, {"time": 0.9267}, rtol=0.005,
                source="Cerebras CS-3 system I/O 1.2 Tb/s (12 × 100 GbE) per the CS-3 datasheet; 125 PFLOP/s "
                       "headline; 139 GB of FP16 Llama-3-70B block and head weights (the embedding is looked up, not "
                       "streamed) / 150 GB/s"),
    ],
    caveats=("Attention over the context and the activations' own traffic are ignored; weights that fit "
             "in on-chip SRAM need no streaming at all (inference on wafer-scale chips usually keeps them there)."),
    sources=("Cerebras Systems, 'Weight Streaming Execution' white paper, 2021",),
)
