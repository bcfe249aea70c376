"""Wall 20, safety: the DP-SGD privacy tax — noise for a target (ε, δ) and the training time it costs."""

from __future__ import annotations

import functools
import logging

import numpy as np

from mlsysim.errors import InfeasibleError
from mlsysim.walls.core import Constraint, Example, Input, Output, Wall
from mlsysim.walls.support import choose, equals

RDP = "dp-accounting RDP"
APPROXIMATE = "moments-accountant approximation"


def dp_accounting():
    """Google's dp-accounting (the optional `mlsysim[privacy]` extra), or None when it is not installed."""
    try:
        import dp_accounting as module
    except ImportError:
        return None
    return module


@functools.lru_cache(maxsize=4096)
def rdp_noise_multiplier(epsilon: float, delta: float, sampling_rate: float, steps: int) -> float:
    """σ meeting (ε, δ) for `steps` Poisson-subsampled Gaussian steps, by the RDP accountant
    (Mironov 2017; Mironov, Talwar & Zhang 2019) as implemented in dp-accounting."""
    dp = dp_accounting()
    from dp_accounting.rdp import RdpAccountant

    def event(sigma):
        step = dp.PoissonSampledDpEvent(sampling_rate, dp.GaussianDpEvent(sigma))
        return dp.SelfComposedDpEvent(step, steps)

    log = logging.getLogger("absl")  # dp-accounting logs a warning per skipped order on extreme inputs
    level = log.level
    log.setLevel(logging.ERROR)
    try:
        return float(dp.calibrate_dp_mechanism(RdpAccountant, event, epsilon, delta))
    except Exception as error:  # the search found no bracket: report it as this wall's own error
        raise InfeasibleError(f"safety: the RDP accountant found no noise multiplier for ε = {epsilon:g}, "
                              f"δ = {delta:g}, q = {sampling_rate:g}, T = {steps} ({error})", parameter="epsilon")
    finally:
        log.setLevel(level)


def approximate_noise_multiplier(epsilon, delta, sampling_rate, steps):
    """σ ≈ 2q·√(T·ln(1/δ))/ε: the leading-order moments-accountant bound (Abadi et al. 2016, Thm 1 and
    Lemma 3, with log-moment q²λ²/σ² per step and the tail bound optimized over λ)."""
    return 2.0 * sampling_rate * np.sqrt(steps * np.log(1.0 / delta)) / epsilon


def evaluate(epsilon, delta, sampling_rate, steps, compute_factor, memory_factor, reference_epsilon, accountant):
    use_rdp = accountant == "rdp" or (accountant == "auto" and dp_accounting() is not None)
    if use_rdp:
        sigma = np.vectorize(lambda e, d, q, t: rdp_noise_multiplier(float(e), float(d), float(q), int(t)),
                             otypes=[float])(epsilon, delta, sampling_rate, steps)
        sigma = sigma if sigma.ndim else float(sigma)
    else:
        sigma = approximate_noise_multiplier(epsilon, delta, sampling_rate, steps)
    # The spec's tax model: extra steps to converge ∝ 1/ε, none at or above the reference ε.
    convergence = np.maximum(1.0, reference_epsilon / epsilon)
    return {"noise_multiplier": sigma, "accountant": RDP if use_rdp else APPROXIMATE,
            "step_slowdown": compute_factor, "convergence_slowdown": convergence, "memory_factor": memory_factor,
            "slowdown": compute_factor * convergence,
            "regime": choose(convergence > compute_factor, "noise-bound", "overhead-bound")}


def outside_approximation(epsilon, sampling_rate, steps, sigma):
    """Where the moments-accountant bound is not guaranteed: Abadi et al.'s Theorem 1 needs ε < c₁q²T, and
    the leading-order log moment needs σ ≳ 1. Inside, the bound errs on the side of more noise."""
    return (epsilon > sampling_rate**2 * steps) | (sigma < 1.0)


def explain(r) -> str:
    caution = ""
    if r.outputs["accountant"] == APPROXIMATE and np.any(outside_approximation(
            r.inputs["epsilon"], r.inputs["sampling_rate"], r.inputs["steps"], r.outputs["noise_multiplier"])):
        caution = (" The approximation is outside its range here (it needs ε ≤ q²T and σ ≥ 1) and may give "
                   "too little noise; install dp-accounting ('mlsysim[privacy]') for an accountant.")
    return (f"For (ε = {r.fmt('epsilon')}, δ = {r.fmt('delta')}) over {r.fmt('steps')} steps sampling "
            f"{r.fmt('sampling_rate')} of the data, the {r.fmt('accountant')} gives a noise multiplier of "
            f"{r.fmt('noise_multiplier')}. Per-example gradients and clipping make each step "
            f"{r.fmt('step_slowdown')}× slower and need {r.fmt('memory_factor')}× the memory; with convergence "
            f"taken to slow as {r.fmt('reference_epsilon')}/ε ({r.fmt('convergence_slowdown')}×), training takes "
            f"{r.fmt('slowdown')}× as long as without privacy ({r.fmt('regime')})." + caution)


WALL = Wall(
    number=20, slug="safety", title="The Safety Wall", domain="operations",
    question="How much longer does training take with differential privacy (DP-SGD)?",
    equation="slowdown = step_slowdown × max(1, reference_epsilon / ε);  σ from an accountant for (ε, δ, q, T)",
    latex=r"\text{slowdown} = k_\text{step}\cdot\max\!\big(1, \varepsilon_\text{ref}/\varepsilon\big),\quad "
          r"\sigma \approx \frac{2q\sqrt{T\ln(1/\delta)}}{\varepsilon}",
    explanation=(
        "DP-SGD clips each example's gradient and adds Gaussian noise to the sum, so no single example "
        "can change the model much. A privacy accountant turns the target (ε, δ), the sampling rate q and "
        "the number of steps T into the noise multiplier σ; smaller ε needs more noise, roughly σ ∝ 1/ε. "
        "The tax has two parts. Each step is slower and hungrier, because per-example gradients must be "
        "materialized and clipped (measured: 2.6–8× lower throughput with Opacus, about half that with "
        "ghost clipping). And noisier gradients need more steps: following the spec we model that as "
        "∝ 1/ε, equal to non-private training at a reference ε where DP fine-tuning is known to come close."),
    inputs=[
        Input("epsilon", "number", "privacy budget ε (smaller is more private)", low=0, low_open=True,
              typical=(0.1, 20)),
        Input("delta", "fraction", "privacy failure probability δ (well below 1 / dataset size)", default=1e-5,
              low=0, high=1, low_open=True, high_open=True, typical=(1e-10, 1e-3)),
        Input("sampling_rate", "fraction", "q = batch size / dataset size (Poisson sampling)", low=0, high=1,
              low_open=True, typical=(1e-5, 0.1)),
        Input("steps", "count", "training steps T", low=1, integer=True, typical=(100, 1e6)),
        Input("compute_factor", "number", "step time with per-example gradients and clipping ÷ without "
              "(Beltran et al. 2024: 2.6–8× with Opacus; ghost clipping about halves it)", default=2.6,
              low=1, typical=(1, 8)),
        Input("memory_factor", "number", "memory with per-example gradients ÷ without (Bu et al. 2022: 2–1000× "
              "for standard implementations, ~1.01× with book-keeping)", default=2.0, low=1, typical=(1, 10)),
        Input("reference_epsilon", "number", "ε at which DP training needs no extra steps (fine-tuning at "
              "ε ≈ 3–8 comes within a few points of non-private accuracy: Li et al. 2022, De et al. 2022)",
              default=8.0, low=0, low_open=True, typical=(1, 20)),
        Input("accountant", "choice", "auto (RDP if dp-accounting is installed, else the approximation), rdp, "
              "or approximate", default="auto", choices=("auto", "rdp", "approximate")),
    ],
    outputs=[
        Output("noise_multiplier", "number", "σ: noise standard deviation ÷ clipping norm"),
        Output("accountant", "text", "how σ was computed"),
        Output("step_slowdown", "number", "time per step relative to non-private training"),
        Output("convergence_slowdown", "number", "extra steps to converge: max(1, reference_epsilon / ε)"),
        Output("memory_factor", "number", "memory relative to non-private training"),
        Output("slowdown", "number", "total training-time tax: step_slowdown × convergence_slowdown"),
        Output("regime", "text", "noise-bound (extra steps dominate) or overhead-bound (per-step cost dominates)"),
    ],
    constraints=[
        Constraint(lambda v: ~equals(v["accountant"], "rdp") | (dp_accounting() is not None),
                   "safety: accountant rdp needs the optional dp-accounting package: pip install "
                   "'mlsysim[privacy]'", "accountant"),
    ],
    regimes=("noise-bound", "overhead-bound"),
    evaluate=evaluate, explain=explain, headline="slowdown",
    examples=[
        Example({"epsilon": 1.0, "sampling_rate": 0.01, "steps": 10_000, "accountant": "approximate"},
                {"noise_multiplier": 6.79, "convergence_slowdown": 8.0, "slowdown": 20.8},
                source="closed form: 2·0.01·√(10⁴·ln 10⁵)/1; spec's slowdown ∝ 1/ε at ε = 1 vs 8"),
        Example({"epsilon": 3.01, "delta": 1e-5, "sampling_rate": 256 / 60000, "steps": 14063},
                {"noise_multiplier": 1.1, "slowdown": 2.6 * 8 / 3.01}, rtol=0.1,
                source="TensorFlow Privacy tutorials/README.md: MNIST, batch 256 of 60,000, σ = 1.1, 60 epochs, "
                       "δ = 1e-5 → ε = 3.01 (dp-accounting's tighter conversion needs σ ≈ 1.01)"),
    ],
    caveats=("The 1/ε convergence model is the spec's rule of thumb, not a law: noise variance grows like "
             "1/ε², and the extra steps depend on the model, batch size and task. The approximate accountant "
             "is a leading-order bound: where it holds (ε ≤ q²T, σ ≥ 1) it asks for 1.2–1.8× the noise the "
             "RDP accountant needs; outside it may ask for too little. Install dp-accounting for the real one."),
    sources=("Abadi et al., 'Deep Learning with Differential Privacy', CCS 2016 (DP-SGD, moments accountant)",
             "Mironov, 'Rényi Differential Privacy', CSF 2017; Google dp-accounting library",
             "Rodriguez Beltran et al., arXiv:2406.17298, 2024 (Opacus DP-SGD 2.6–8× lower throughput than SGD)",
             "Bu et al., 'Differentially Private Optimization on Large Model at Small Cost', arXiv:2210.00038",
             "Li et al., arXiv:2110.05679, 2022; De et al., arXiv:2204.13650, 2022 (DP fine-tuning near "
             "non-private accuracy at ε ≈ 3–8)",
             "Yousefpour et al., 'Opacus: User-Friendly Differential Privacy Library in PyTorch', arXiv:2109.12298"),
)
