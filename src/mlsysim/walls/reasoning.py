"""Wall 12, reasoning: the latency, tokens, FLOPs and cost of thinking before answering."""

from __future__ import annotations

from mlsysim.precision import bytes_per_element
from mlsysim.specs.arch import inference
from mlsysim.walls.core import Example, Input, Output, Wall
from mlsysim.walls.support import choose, maximum, per_spec, spec_or_fields


def _generation(p, tokens, context, samples, element, kv_token, memory_rate, compute_rate):
    """Time and FLOPs to generate `tokens` per sample, `samples` in parallel, from `context`."""
    weights = inference.read_params(p, samples) * element
    memory_first = (weights + samples * context * kv_token) / memory_rate
    memory_slope = samples * kv_token / memory_rate  # each step the cache is one token longer
    compute_first = samples * (2 * p.matmul_params + p.attention_coefficient * context) / compute_rate
    compute_slope = samples * p.attention_coefficient / compute_rate
    time = inference.sum_of_max_linear(tokens, memory_first, memory_slope, compute_first, compute_slope)
    flops = samples * (tokens * (2 * p.matmul_params + p.attention_coefficient * context)
                       + p.attention_coefficient * tokens * (tokens - 1) / 2)
    return time, flops


def evaluate(model, hardware, steps, tokens_per_step, samples, prompt_tokens, answer_tokens, devices,
             precision, kv_precision, bandwidth, peak_flops, efficiency, price_per_device_hour):
    p = model.inference
    if bandwidth is None:
        bandwidth = per_spec(lambda h: h.memory_bandwidth, hardware)
    if peak_flops is None:
        peak_flops = per_spec(lambda h, q: h.peak_flops(q if h.has_precision(q) else "bf16"), hardware, precision)
    memory_rate, compute_rate = bandwidth * devices, peak_flops * efficiency * devices
    element, kv_token = bytes_per_element(precision), model.kv_bytes_per_token(kv_precision)
    prefill_flops = prompt_tokens * (2 * p.matmul_params + p.attention_coefficient * prompt_tokens / 2)
    prefill = maximum(prefill_flops / compute_rate, p.params * element / memory_rate)
    thinking = steps * tokens_per_step
    think_time, think_flops = _generation(p, thinking, prompt_tokens, samples, element, kv_token,
                                          memory_rate, compute_rate)
    answer_time, answer_flops = _generation(p, answer_tokens, prompt_tokens + thinking, samples, element,
                                            kv_token, memory_rate, compute_rate)
    direct_time, direct_flops = _generation(p, answer_tokens, prompt_tokens, 1, element, kv_token,
                                            memory_rate, compute_rate)
    latency, direct_latency = prefill + think_time + answer_time, prefill + direct_time
    flops, direct = prefill_flops + think_flops + answer_flops, prefill_flops + direct_flops
    price = price_per_device_hour * devices  # USD per second of the replica (SI)
    return {
        "latency": latency, "time_per_step": think_time / steps, "direct_latency": direct_latency,
        "slowdown": latency / direct_latency, "reasoning_tokens": samples * thinking,
        "tokens": samples * (thinking + answer_tokens), "flops": flops, "direct_flops": direct,
        "compute_multiplier": flops / direct, "cost": latency * price, "direct_cost": direct_latency * price,
        "first_step_time": per_step_time(p, prompt_tokens, samples, element, kv_token, memory_rate,
                                         compute_rate) * tokens_per_step,
        "regime": choose(think_time > 10 * direct_time, "reasoning-dominated", "answer-dominated"),
    }


def per_step_time(p, context, samples, element, kv_token, memory_rate, compute_rate):
    weights = inference.read_params(p, samples) * element
    memory = (weights + samples * context * kv_token) / memory_rate
    compute = samples * (2 * p.matmul_params + p.attention_coefficient * context) / compute_rate
    return maximum(memory, compute)


def explain(r) -> str:
    return (f"Thinking for {r.fmt('steps')} steps of {r.fmt('tokens_per_step')} tokens with "
            f"{r.fmt('samples')} sample(s) generates {r.fmt('reasoning_tokens')} extra tokens: the answer "
            f"arrives after {r.fmt('latency')} instead of {r.fmt('direct_latency')} ({r.fmt('slowdown')}× slower, "
            f"{r.fmt('compute_multiplier')}× the FLOPs, {r.fmt('cost')} vs {r.fmt('direct_cost')} of device time). "
            f"Steps slow down as the cache grows: the first takes {r.fmt('first_step_time')}, the average "
            f"{r.fmt('time_per_step')}.")


WALL = Wall(
    number=12,
    slug="reasoning",
    title="The Reasoning Wall",
    domain="algorithm",
    question="What does thinking longer at inference time cost in latency, tokens, FLOPs and money?",
    equation="time = Σ_steps time per step,  time per token = max((W + KV(ctx))/BW, F(ctx)/(P·η))",
    latex=r"T=\sum_{i=1}^{S\cdot t}\max\!\left(\frac{W+n\,(P+i)\,kv}{BW},\ \frac{n\,F(P+i)}{P_\text{peak}\eta}\right)",
    explanation=(
        "Reasoning models write out a chain of thought before the answer, so every query pays for "
        "many more decoded tokens. Each token is a decode step governed by the serving wall: the "
        "weights are re-read and the KV cache, which grows by one token per step, is read too, so "
        "late steps are slower than early ones. Sampling several chains and voting (best-of-n, "
        "self-consistency) multiplies the tokens and FLOPs, though the samples share each weight "
        "read. The result compares the whole bill with answering directly."
    ),
    inputs=[
        Input("model", "model", "the reasoning model"),
        Input("hardware", "hardware", "accelerator serving it", default=None),
        Input("steps", "count", "reasoning steps per query", low=1, typical=(1, 1000)),
        Input("tokens_per_step", "count", "tokens written per step", default=100, low=1, typical=(10, 2000)),
        Input("samples", "count", "parallel samples (best-of-n / self-consistency)", default=1, low=1,
              integer=True, typical=(1, 64)),
        Input("prompt_tokens", "count", "tokens in the question", default=512, low=1, typical=(16, 32768)),
        Input("answer_tokens", "count", "tokens in the final answer", default=256, low=1, typical=(16, 4096)),
        Input("devices", "count", "devices per replica (tensor parallel)", default=1, low=1, integer=True),
        Input("precision", "precision", "precision of the weights", default="bf16"),
        Input("kv_precision", "precision", "precision of the KV cache", default="bf16"),
        Input("bandwidth", "bandwidth", "memory bandwidth per device (instead of the hardware's)", default=None,
              low=0, low_open=True, typical=(1e11, 1e13)),
        Input("peak_flops", "flop_rate", "peak FLOP/s per device (instead of the hardware's)", default=None,
              low=0, low_open=True, typical=(1e13, 1e16)),
        Input("efficiency", "fraction", "achievable fraction of peak FLOP/s", default=1.0, low=0, high=1,
              low_open=True),
        # Lambda Labs on-demand H100 SXM, $2.99 per GPU-hour (published.json cost-lambda-h100-2026).
        Input("price_per_device_hour", "money_rate", "rental price of one device", default="$2.99/h", low=0,
              typical=(0.1 / 3600, 10 / 3600)),
    ],
    outputs=[
        Output("latency", "time", "time to the final answer, reasoning included"),
        Output("time_per_step", "time", "average time of one reasoning step"),
        Output("first_step_time", "time", "time of the first reasoning step"),
        Output("direct_latency", "time", "time to answer directly, without reasoning"),
        Output("slowdown", "number", "latency / direct latency"),
        Output("reasoning_tokens", "count", "tokens of thought generated, all samples"),
        Output("tokens", "count", "all tokens generated, all samples"),
        Output("flops", "flops", "FLOPs per query with reasoning"),
        Output("direct_flops", "flops", "FLOPs per query answering directly"),
        Output("compute_multiplier", "number", "FLOPs with reasoning / FLOPs without"),
        Output("cost", "money", "device time per query with reasoning, at the rental price"),
        Output("direct_cost", "money", "device time per query answering directly"),
        Output("regime", "text", "reasoning-dominated or answer-dominated"),
    ],
    constraints=[
        spec_or_fields("reasoning", "hardware", "bandwidth", "peak_flops"),
    ],
    regimes=("reasoning-dominated", "answer-dominated"),
    evaluate=evaluate,
    explain=explain,
    headline="latency",
    examples=[
        Example({"model": "llama-3-8b", "hardware": "h100", "steps": 20, "tokens_per_step": 100},
                {"reasoning_tokens": 2000, "time_per_step": 0.454}, rtol=0.01,
                source="arithmetic: 100 tokens × (15.0 GB of streamed weights + a 0.5–2.5k-token cache of "
                       "128 KiB per token) / 3.35 TB/s ≈ 4.5 ms per token on an H100"),
    ],
    caveats=("One query per replica (no batching across users), ideal tensor parallelism, and the same "
             "answer length with and without reasoning; accuracy gains are not modelled."),
    sources=("Snell et al., 'Scaling LLM Test-Time Compute Optimally', 2024",
             "Wang et al., 'Self-Consistency Improves Chain of Thought Reasoning', ICLR 2023"),
)
