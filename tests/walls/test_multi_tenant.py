"""Wall 16, multi-tenant: queueing on a shared cluster, against closed forms and a simulation."""

import json

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import mlsysim as ms
from mlsysim.cli.main import main

wall = ms.wall("multi-tenant")


def test_spec_example_md1_at_80_percent_waits_twice_the_job():
    # Spec, Wall 16: wait = ρ / (2μ(1 − ρ)); "at 80% cluster utilization, the average wait is 2x the job duration".
    r = wall(utilization=0.8, job_duration="6 h")
    assert r.model == "M/D/1"
    assert r.wait_ratio == pytest.approx(2.0) and r.wait == pytest.approx(12 * 3600)
    assert r.wait == pytest.approx(0.8 / (2 * (1 / (6 * 3600)) * 0.2))
    assert r.response_time == pytest.approx(18 * 3600) and r.regime == "backlogged"


@pytest.mark.parametrize("cv, model, lq", [(0, "M/D/1", 1.6), (1, "M/M/1", 3.2)])
def test_published_queue_lengths_at_rho_08(cv, model, lq):
    # published.json queue-md1-lq-rho0.8: Lq = ρ²/(2(1 − ρ)) = 1.6;
    # queue-mm1-lq-rho0.8: Lq = ρ²/(1 − ρ) = 3.2.
    r = wall(utilization=0.8, job_duration="1 h", cv=cv)
    assert r.model == model and r.queue_length == pytest.approx(lq)


def test_mmc_matches_erlang_c_checkpoint():
    # published.json queue-erlangc-A8-N10: C(10 servers, 8 erlangs) = 0.40918; Wq = C / (cμ − λ).
    r = wall(utilization=0.8, job_duration="1 h", cv=1, servers=10)
    assert r.model == "M/M/c"
    assert r.wait == pytest.approx(0.40918 / (10 / 3600 - 8 / 3600), rel=1e-4)


def test_pollaczek_khinchine_for_general_job_lengths():
    r = wall(utilization=0.5, job_duration="2 h", cv=2)
    assert r.model == "M/G/1" and r.wait_ratio == pytest.approx(0.5 * (1 + 4) / (2 * 0.5))


def test_arrival_rate_and_utilization_agree():
    by_rate = wall(arrival_rate="3/h", job_duration="1 h", servers=4, cv=0.5)
    by_load = wall(utilization=0.75, job_duration="1 h", servers=4, cv=0.5)
    assert by_rate.server_utilization == pytest.approx(0.75)
    assert by_rate.wait == pytest.approx(by_load.wait)
    assert by_load.submission_rate == pytest.approx(3 / 3600)


def test_md1_mean_wait_matches_a_simulation():
    # Lindley's recursion W(n+1) = max(0, W(n) + S − A(n+1)) with Poisson arrivals and fixed-length jobs.
    rng = np.random.default_rng(7)
    gaps = rng.exponential(1 / 0.8, 400_000)
    wait, total = 0.0, 0.0
    for gap in gaps:
        wait = max(0.0, wait + 1.0 - gap)
        total += wait
    assert total / len(gaps) == pytest.approx(wall(utilization=0.8, job_duration=1.0).wait, rel=0.05)


def test_solve_for_the_utilization_that_keeps_waits_short():
    solved = wall.solve(output="wait_ratio", target=1.0, vary="utilization", job_duration="1 h")
    assert solved.value == pytest.approx(2 / 3) and solved.method == "closed form"
    many = wall.solve(output="wait_ratio", target=0.1, vary="utilization", job_duration="1 h", servers=8, cv=1)
    assert wall(utilization=many.value, job_duration="1 h", servers=8, cv=1).wait_ratio == pytest.approx(0.1, rel=1e-3)


@settings(max_examples=60, deadline=None)
@given(rho=st.floats(0.01, 0.98), more=st.floats(0, 1), cv=st.floats(0, 3), servers=st.integers(1, 64))
def test_higher_utilization_never_less_wait(rho, more, cv, servers):
    higher = rho + (0.99 - rho) * more
    low = wall(utilization=rho, job_duration="1 h", cv=cv, servers=servers)
    high = wall(utilization=higher, job_duration="1 h", cv=cv, servers=servers)
    assert high.wait >= low.wait * (1 - 1e-12)
    assert high.queue_length >= low.queue_length * (1 - 1e-12)


@settings(max_examples=60, deadline=None)
@given(rho=st.floats(0.01, 0.98), cv=st.floats(0, 3), more_cv=st.floats(0, 3), servers=st.integers(1, 64),
       extra=st.integers(0, 64))
def test_more_variable_jobs_wait_longer_and_more_servers_shorter(rho, cv, more_cv, servers, extra):
    base = wall(utilization=rho, job_duration="1 h", cv=cv, servers=servers)
    assert wall(utilization=rho, job_duration="1 h", cv=cv + more_cv, servers=servers).wait >= base.wait
    assert wall(utilization=rho, job_duration="1 h", cv=cv, servers=servers + extra).wait <= base.wait * (1 + 1e-9)


# -- bad input ------------------------------------------------------------------------------

@pytest.mark.parametrize("inputs", [{"utilization": 1.0}, {"utilization": "120%"}, {"arrival_rate": "2/h"},
                                    {"arrival_rate": "9/h", "servers": 8}])
def test_unstable_queue_is_infeasible(inputs):
    with pytest.raises(ms.InfeasibleError, match="unstable queue") as info:
        wall(job_duration="1 h", **inputs)
    assert info.value.parameter == "utilization" and "\n" not in str(info.value)


def test_unstable_points_are_masked_in_a_sweep():
    r = wall(invalid="nan", utilization=np.array([0.5, 0.8, 1.2]), job_duration="1 h")
    assert r.valid.tolist() == [True, True, False] and "unstable" in r.reasons[2]
    assert np.isnan(r.wait[2]) and r.wait[1] == pytest.approx(7200)


@pytest.mark.parametrize("inputs, name", [
    ({"job_duration": "1 h"}, "utilization"),
    ({"utilization": 0.5, "arrival_rate": "1/h", "job_duration": "1 h"}, "utilization"),
    ({"utilization": 0.5, "job_duration": "1 h", "cv": -1}, "cv"),
    ({"utilization": 0.5, "job_duration": 0}, "job_duration"),
    ({"utilization": 0.5, "job_duration": "1 h", "servers": 0}, "servers"),
    ({"utilization": 0.5, "job_duration": "1 h", "servers": 2.5}, "servers"),
    ({"utilization": -0.1, "job_duration": "1 h"}, "utilization"),
])
def test_bad_inputs_are_named_errors(inputs, name):
    with pytest.raises(ms.InvalidInputError, match=name):
        wall(**inputs)


def test_cli(capsys):
    assert main(["wall", "multi-tenant", "--utilization", "80%", "--job-duration", "1h", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["outputs"]["wait_ratio"] == pytest.approx(2.0) and data["outputs"]["model"] == "M/D/1"
    assert main(["wall", "multi-tenant", "--utilization", "1.1", "--job-duration", "1h"]) == 3
    err = capsys.readouterr().err.strip()
    assert err.count("\n") == 0 and "unstable queue" in err and "Traceback" not in err
    assert main(["wall", "multi-tenant", "--utilization", "0.5", "--job-duration", "1 GB"]) == 2
