"""Wall 20, safety: DP-SGD noise from a privacy accountant (or its fallback) and the training-time tax."""

import json
import math
import sys

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import mlsysim as ms
from mlsysim.cli.main import main
from mlsysim.walls import safety

wall = ms.wall("safety")
MNIST = dict(delta=1e-5, sampling_rate=256 / 60000)  # TF Privacy's MNIST tutorial: batch 256 of 60,000


@pytest.fixture
def no_dp_accounting(monkeypatch):
    """Make `import dp_accounting` fail, as on an install without the privacy extra."""
    monkeypatch.setitem(sys.modules, "dp_accounting", None)
    safety.rdp_noise_multiplier.cache_clear()
    yield
    safety.rdp_noise_multiplier.cache_clear()


def epsilon_at(sigma, delta, q, steps):
    dp = pytest.importorskip("dp_accounting")
    from dp_accounting.rdp import RdpAccountant

    accountant = RdpAccountant()
    accountant.compose(dp.SelfComposedDpEvent(dp.PoissonSampledDpEvent(q, dp.GaussianDpEvent(sigma)), steps))
    return accountant.get_epsilon(delta)


# -- the accountant path (needs the optional dp-accounting package) ------------------------

@pytest.mark.parametrize("sigma, epochs, epsilon", [(1.3, 15, 1.19), (1.1, 60, 3.01), (0.7, 45, 7.10)])
def test_rdp_noise_matches_tensorflow_privacy_table(sigma, epochs, epsilon):
    # TensorFlow Privacy, tutorials/README.md ("Select Parameters"): MNIST, batch 256, δ = 1e-5.
    # dp-accounting converts RDP to (ε, δ) more tightly than TF Privacy did in 2019, so the same ε
    # needs up to ~15 % less noise — never more.
    pytest.importorskip("dp_accounting")
    steps = math.ceil(epochs * 60000 / 256)
    r = wall(epsilon=epsilon, steps=steps, **MNIST)
    assert r.accountant == safety.RDP
    assert 0.85 * sigma <= r.noise_multiplier <= sigma
    assert epsilon_at(r.noise_multiplier, 1e-5, 256 / 60000, steps) == pytest.approx(epsilon, rel=1e-3)


def test_rdp_broadcasts_like_the_loop_and_smaller_epsilon_needs_more_noise():
    pytest.importorskip("dp_accounting")
    epsilons = np.array([1.0, 3.0, 8.0])
    r = wall(epsilon=epsilons, steps=1000, **MNIST)
    for i, e in enumerate(epsilons):
        assert r.noise_multiplier[i] == pytest.approx(wall(epsilon=float(e), steps=1000, **MNIST).noise_multiplier)
    assert np.all(np.diff(r.noise_multiplier) < 0)


def test_approximation_is_close_to_rdp_near_sigma_one():
    pytest.importorskip("dp_accounting")
    exact = wall(epsilon=3.01, steps=14063, **MNIST).noise_multiplier
    rough = wall(epsilon=3.01, steps=14063, accountant="approximate", **MNIST).noise_multiplier
    assert rough == pytest.approx(exact, rel=0.15)


@pytest.mark.parametrize("epsilon, q, steps", [(1.0, 0.01, 10_000), (2.0, 0.05, 1000), (8.0, 0.01, 100_000)])
def test_approximation_errs_on_the_safe_side_where_it_holds(epsilon, q, steps):
    # Abadi et al.'s bound applies for ε ≤ q²T (and σ ≥ 1): there it must never ask for less noise than
    # the RDP accountant, and (measured over q ≤ 0.05, T ≤ 1e5) asks for at most ~1.8× as much.
    pytest.importorskip("dp_accounting")
    exact = wall(epsilon=epsilon, sampling_rate=q, steps=steps).noise_multiplier
    rough = wall(epsilon=epsilon, sampling_rate=q, steps=steps, accountant="approximate")
    assert not safety.outside_approximation(epsilon, q, steps, rough.noise_multiplier)
    assert exact <= rough.noise_multiplier <= 1.8 * exact
    assert "outside its range" not in rough.explain()


# -- the fallback (no dp-accounting) ---------------------------------------------------------

def test_fallback_uses_the_moments_accountant_bound(no_dp_accounting):
    r = wall(epsilon=2.0, delta=1e-5, sampling_rate=0.01, steps=10_000)
    assert r.accountant == safety.APPROXIMATE and "approximation" in r.explain()
    # Abadi et al. 2016: σ ≈ 2q·√(T·ln(1/δ))/ε at leading order.
    assert r.noise_multiplier == pytest.approx(2 * 0.01 * math.sqrt(10_000 * math.log(1e5)) / 2.0)


def test_fallback_is_within_ten_percent_of_tf_privacy(no_dp_accounting):
    r = wall(epsilon=3.01, steps=14063, **MNIST)  # TF Privacy: σ = 1.1 gives ε = 3.01
    assert r.noise_multiplier == pytest.approx(1.1, rel=0.1)


def test_fallback_warns_outside_its_range(no_dp_accounting):
    r = wall(epsilon=8.0, sampling_rate=0.001, steps=1000)  # q²T = 0.001 ≪ ε: the bound does not apply
    assert "outside its range" in r.explain() and "dp-accounting" in r.explain()


def test_asking_for_rdp_without_the_package_says_how_to_install_it(no_dp_accounting):
    with pytest.raises(ms.InvalidInputError, match=r"pip install 'mlsysim\[privacy\]'") as info:
        wall(epsilon=1.0, sampling_rate=0.01, steps=100, accountant="rdp")
    assert info.value.parameter == "accountant"


def test_forced_approximation_is_exactly_inverse_in_epsilon():
    one = wall(epsilon=1.0, sampling_rate=0.01, steps=1000, accountant="approximate")
    half = wall(epsilon=0.5, sampling_rate=0.01, steps=1000, accountant="approximate")
    assert half.noise_multiplier == pytest.approx(2 * one.noise_multiplier)


# -- the tax ---------------------------------------------------------------------------------

def test_slowdown_is_inverse_in_epsilon_below_the_reference():
    # Spec, Wall 20: "Slowdown ∝ 1/ε". At the reference ε only the per-step cost remains.
    base = dict(sampling_rate=0.01, steps=1000, accountant="approximate")
    at_ref = wall(epsilon=8.0, **base)
    assert at_ref.convergence_slowdown == 1.0 and at_ref.slowdown == pytest.approx(2.6)
    assert at_ref.regime == "overhead-bound"
    strict = wall(epsilon=0.5, **base)
    assert strict.slowdown == pytest.approx(2.6 * 16) and strict.regime == "noise-bound"
    assert wall(epsilon=0.25, **base).slowdown == pytest.approx(2 * strict.slowdown)
    assert wall(epsilon=50.0, **base).slowdown == pytest.approx(2.6)


def test_cost_factors_are_inputs_with_sources():
    r = wall(epsilon=1.0, sampling_rate=0.01, steps=1000, accountant="approximate", compute_factor=1.2,
             memory_factor=1.01, reference_epsilon=4)
    assert r.step_slowdown == 1.2 and r.memory_factor == 1.01 and r.slowdown == pytest.approx(4.8)
    for name in ("compute_factor", "memory_factor", "reference_epsilon"):
        assert "20" in wall.inputs[name].meaning  # each default names the year of its measurement


@settings(max_examples=60, deadline=None)
@given(epsilon=st.floats(0.05, 50), tighter=st.floats(1, 10), q=st.floats(1e-4, 1), steps=st.integers(1, 10**6))
def test_stronger_privacy_never_cheaper(epsilon, tighter, q, steps):
    base = dict(sampling_rate=q, steps=steps, accountant="approximate")
    loose, strict = wall(epsilon=epsilon, **base), wall(epsilon=epsilon / tighter, **base)
    assert strict.noise_multiplier >= loose.noise_multiplier
    assert strict.slowdown >= loose.slowdown


# -- bad input ------------------------------------------------------------------------------

@pytest.mark.parametrize("inputs, name", [
    ({"delta": 1.0}, "delta"), ({"delta": 2.0}, "delta"), ({"delta": 0}, "delta"),
    ({"epsilon": 0}, "epsilon"), ({"epsilon": -1}, "epsilon"),
    ({"sampling_rate": 1.5}, "sampling_rate"), ({"sampling_rate": 0}, "sampling_rate"),
    ({"steps": 0}, "steps"), ({"steps": 10.5}, "steps"),
    ({"compute_factor": 0.5}, "compute_factor"), ({"memory_factor": 0.9}, "memory_factor"),
    ({"reference_epsilon": 0}, "reference_epsilon"), ({"epsilon": "3 GB"}, "epsilon"),
])
def test_bad_inputs_are_named_errors(inputs, name):
    base = {"epsilon": 1.0, "sampling_rate": 0.01, "steps": 1000, "accountant": "approximate"}
    with pytest.raises(ms.InvalidInputError, match=name) as info:
        wall(**{**base, **inputs})
    assert "\n" not in str(info.value)


def test_unknown_accountant_lists_the_known_ones():
    with pytest.raises(ms.UnknownNameError, match="approximate"):
        wall(epsilon=1.0, sampling_rate=0.01, steps=1000, accountant="moments-xyz")


def test_cli(capsys):
    argv = ["wall", "safety", "--epsilon", "1", "--sampling-rate", "0.01", "--steps", "10000",
            "--accountant", "approximate"]
    assert main([*argv, "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["outputs"]["accountant"] == safety.APPROXIMATE
    assert data["outputs"]["slowdown"] == pytest.approx(2.6 * 8)
    assert main([*argv, "--delta", "1"]) == 2
    err = capsys.readouterr().err.strip()
    assert err.count("\n") == 0 and "delta" in err and "Traceback" not in err
