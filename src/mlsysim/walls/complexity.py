"""Wall 11, complexity: how big a model a training budget buys, and how many tokens it should see."""

from __future__ import annotations

from mlsysim.walls.core import Constraint, Example, Input, Output, Wall
from mlsysim.walls.support import choose, peak_flops_of

# Training costs ~6 FLOPs per parameter per token: 2 forward, 4 backward (Kaplan et al. 2020, §2.1).
FLOPS_PER_PARAM_TOKEN = 6.0
# Hoffmann et al. 2022, Table 3: 20.0–22.4 tokens per parameter at the compute optimum.
TOKENS_PER_PARAM = 20.0
# Hoffmann et al. 2022, §3.3 / Eq. (10), approach 3: L(N, D) = E + A/N^α + B/D^β.
E, A, B, ALPHA, BETA = 1.69, 406.4, 410.7, 0.34, 0.28
# Within 25 % of 20:1 counts as optimal: Table 3 spans 20.0–22.4 and its approaches disagree (Table 2).
BAND = 1.25


def chinchilla_loss(params, tokens):
    return E + A / params**ALPHA + B / tokens**BETA


def frontier(compute):
    """N and D minimizing the fitted loss subject to C = 6ND (Hoffmann et al. 2022, Eq. (4))."""
    g = (ALPHA * A / (BETA * B)) ** (1.0 / (ALPHA + BETA))
    return g * (compute / 6.0) ** (BETA / (ALPHA + BETA)), (compute / 6.0) ** (ALPHA / (ALPHA + BETA)) / g


def evaluate(compute_budget, budget, params, tokens, hardware, precision, mfu, price_per_device_hour):
    rate = peak_flops_of(hardware, precision) * mfu  # FLOP/s one accelerator sustains
    flops = compute_budget if compute_budget is not None or budget is None else budget / price_per_device_hour * rate
    if flops is None:  # a plan fixed by size (N, D or both); a missing one at 20 tokens per parameter
        n = params if params is not None else tokens / TOKENS_PER_PARAM
        d = tokens if tokens is not None else TOKENS_PER_PARAM * n
    else:  # a budget, spent on the given N or D, else at the optimum N = √(C/120)
        n = (params if params is not None else flops / (FLOPS_PER_PARAM_TOKEN * tokens) if tokens is not None
             else (flops / (FLOPS_PER_PARAM_TOKEN * TOKENS_PER_PARAM)) ** 0.5)
        d = tokens if tokens is not None else flops / (FLOPS_PER_PARAM_TOKEN * n)
    compute = FLOPS_PER_PARAM_TOKEN * n * d
    optimal = (compute / (FLOPS_PER_PARAM_TOKEN * TOKENS_PER_PARAM)) ** 0.5  # C = 6·N·20N = 120·N²
    frontier_params, frontier_tokens = frontier(compute)
    ratio = d / n / TOKENS_PER_PARAM
    return {
        "optimal_params": optimal, "optimal_tokens": TOKENS_PER_PARAM * optimal, "compute": compute,
        "model_params": n, "training_tokens": d, "overtraining_ratio": ratio,
        "loss": chinchilla_loss(n, d), "frontier_params": frontier_params, "frontier_tokens": frontier_tokens,
        "frontier_loss": chinchilla_loss(frontier_params, frontier_tokens),
        "device_time": compute / rate, "cost": compute / rate * price_per_device_hour,
        "regime": choose(ratio > BAND, "over-trained", choose(ratio < 1 / BAND, "under-trained", "compute-optimal")),
    }


def explain(r) -> str:
    text = (f"{r.fmt('compute')} of training compute (6·N·D) is best spent, at 20 tokens per parameter, "
            f"on {r.fmt('optimal_params')} parameters and {r.fmt('optimal_tokens')} tokens. ")
    if r.inputs["params"] is not None or r.inputs["tokens"] is not None:
        text += (f"The plan of {r.fmt('model_params')} parameters on {r.fmt('training_tokens')} tokens "
                 f"has {r.fmt('overtraining_ratio')}× the rule's tokens per parameter: {r.fmt('regime')}. ")
    return text + (f"The fitted loss is {r.fmt('loss')}; the fit's own optimum is {r.fmt('frontier_params')} "
                   f"parameters on {r.fmt('frontier_tokens')} tokens (loss {r.fmt('frontier_loss')}). On "
                   f"{r.fmt('hardware')} at {r.fmt('mfu')} MFU it takes {r.fmt('device_time')} of a single "
                   f"accelerator's time, about {r.fmt('cost')}.")


_PLAN = ("compute_budget", "budget", "params", "tokens")


def _count(v, *names):  # how many of the named inputs were given
    return sum(v[name] is not None for name in names)


WALL = Wall(
    number=11,
    slug="complexity",
    title="The Complexity Wall (Chinchilla scaling)",
    domain="algorithm",
    question="How large a model should a training budget buy, and on how many tokens?",
    equation="C = 6·N·D;  N_opt = √(C/120), D_opt = 20·N_opt;  L(N, D) = E + A/N^α + B/D^β",
    latex=r"C = 6ND,\quad N_\text{opt} = \sqrt{C/120},\quad D_\text{opt} = 20\,N_\text{opt},\quad "
          r"L = E + \frac{A}{N^\alpha} + \frac{B}{D^\beta}",
    explanation=(
        "Training N parameters on D tokens costs about 6·N·D FLOPs. For a fixed budget there is a best "
        "split: Hoffmann et al. trained hundreds of models and found that size and data should grow "
        "together, about 20 tokens per parameter, so the best size is √(C/120). A bigger model on too "
        "little data, or a small one on too much, reaches a worse loss for the same money. Models built "
        "to be served cheaply are over-trained on purpose: a smaller model of nearly the same quality."
    ),
    inputs=[
        Input("compute_budget", "flops", "training compute to spend (or give budget in money)", default=None,
              low=0, low_open=True, typical=(1e18, 1e27)),
        Input("budget", "money", "money to spend on accelerator time (instead of compute_budget)",
              default=None, low=0, low_open=True, typical=(1e4, 1e9)),
        Input("params", "count", "model parameters N, to evaluate a given plan", default=None,
              low=0, low_open=True, typical=(1e8, 1e13)),
        Input("tokens", "count", "training tokens D, to evaluate a given plan", default=None,
              low=0, low_open=True, typical=(1e9, 1e14)),
        Input("hardware", "hardware", "accelerator that turns money into FLOPs", default="h100"),
        Input("precision", "precision", "precision of the training math", default="bf16"),
        # PaLM reached 46.2 %, Gopher 32.5 % (Chowdhery et al. 2022, Table 3).
        Input("mfu", "fraction", "model FLOPs utilization reached in training", default=0.4,
              low=0, high=1, low_open=True, typical=(0.2, 0.6)),
        # Lambda on-demand H100, March 2026 snapshot (costnimbus.com GPU cost comparison).
        Input("price_per_device_hour", "money_rate", "rental price of one accelerator", default="$2.99/h",
              low=0, low_open=True, typical=(2e-4, 4e-3)),
    ],
    outputs=[
        Output("optimal_params", "count", "compute-optimal parameters √(C/120)"),
        Output("optimal_tokens", "count", "compute-optimal tokens, 20 per parameter"),
        Output("compute", "flops", "training compute 6·N·D of the plan"),
        Output("model_params", "count", "parameters of the plan evaluated (given or derived)"),
        Output("training_tokens", "count", "tokens of the plan evaluated (given or derived)"),
        Output("overtraining_ratio", "number", "tokens per parameter ÷ 20 (1 = compute-optimal)"),
        Output("loss", "number", "Chinchilla fitted loss L(N, D) of the plan, nats per token"),
        Output("frontier_params", "count", "parameters minimizing the fitted loss at this compute"),
        Output("frontier_tokens", "count", "tokens minimizing the fitted loss at this compute"),
        Output("frontier_loss", "number", "fitted loss on that frontier"),
        Output("device_time", "time", "accelerator time for the compute: C / (peak × MFU)"),
        Output("cost", "money", "device_time × price_per_device_hour"),
        Output("regime", "text", "compute-optimal, over-trained or under-trained"),
    ],
    constraints=[
        Constraint(lambda v: _count(v, *_PLAN) > 0, "complexity: give compute_budget (FLOPs) or budget "
                   "(money), or params and/or tokens", "compute_budget"),
        Constraint(lambda v: _count(v, "compute_budget", "budget") < 2,
                   "complexity: give compute_budget ({compute_budget}) or budget ({budget}), not both", "budget"),
        Constraint(lambda v: _count(v, *_PLAN) < 3, "complexity: params and tokens already fix the "
                   "compute (6·N·D); drop compute_budget and budget", "compute_budget"),
    ],
    inverses={("optimal_params", "compute_budget"): lambda target, v: 120.0 * target**2},
    regimes=("compute-optimal", "over-trained", "under-trained"),
    evaluate=evaluate,
    explain=explain,
    headline="optimal_params",
    examples=[
        Example({"compute_budget": "9.72e23"}, {"optimal_params": 9.0e10, "optimal_tokens": 1.8e12},
                source="spec, Wall 11: √(9.72e23 / 120) ≈ 9.0e10 parameters on ~1.8T tokens"),
        Example({"params": "90B"}, {"optimal_tokens": 1.8e12, "compute": 9.72e23, "overtraining_ratio": 1.0},
                source="spec, Wall 11: a 90B model at the optimum needs ~1.8T tokens, C = 6·N·D ≈ 9.7e23"),
        Example({"params": "70B", "tokens": "1.4T"}, {"compute": 5.88e23, "overtraining_ratio": 1.0},
                source="Hoffmann et al. 2022, §4.1: Chinchilla, 70B parameters on 1.4T tokens"),
        Example({"params": "8B", "tokens": "15T"}, {"overtraining_ratio": 93.75},
                source="Meta Llama 3 model card: the 8B model was pretrained on 15T+ tokens"),
        Example({"budget": "$10M"}, {"compute": 4.76e24, "optimal_params": 1.99e11},
                source="arithmetic: $10M ÷ $2.99 per H100-hour × 989.4 TFLOP/s BF16 × 40 % MFU"),
    ],
    caveats=("6·N·D ignores attention FLOPs; 20:1 fits Chinchilla's data and tokenizer. The rounded approach-3 "
             "fit's optimum is ~100 tokens per parameter; Besiroglu et al. (2024, arXiv:2404.10102) found it "
             "inconsistent with the paper's other approaches. price_per_device_hour does not follow hardware."),
    sources=("Hoffmann et al., 'Training Compute-Optimal Large Language Models', arXiv:2203.15556, 2022",
             "Kaplan et al., 'Scaling Laws for Neural Language Models', arXiv:2001.08361, 2020"),
)
