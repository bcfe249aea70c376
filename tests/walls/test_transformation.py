"""Wall 9, transformation: CPU preprocessing throughput against accelerator demand."""

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import mlsysim as ms
from mlsysim.cli.main import main

WALL = ms.wall("transformation")
IMAGES = {"samples": 256, "cpu_throughput": "577/s", "cores": 32, "step_time": "0.1 s", "devices": 8}


def test_image_worked_example():
    # ternaus/imread_benchmark (arXiv:2605.08731): Pillow decodes 577 ImageNet JPEGs/s on one thread
    # of a Xeon Platinum 8581C. 8 accelerators x 256 images per 0.1 s step = 20,480 images/s.
    r = WALL(**IMAGES)
    assert r.items == 2048
    assert r.time == pytest.approx(2048 / (577 * 32))
    assert r.cores_needed == 36  # ceil(20,480 / 577)
    assert r.starvation_fraction == pytest.approx(1 - 0.1 / (2048 / (577 * 32)))
    assert r.regime == "starved"


def test_cpu_spec_supplies_the_measured_rate():
    # Same benchmark: Pillow on Google Axion (Neoverse V2) decodes 551/s per core.
    r = WALL(samples=256, cpu="axion", cores=64, step_time="0.1 s", devices=8)
    assert r.cpu_throughput == 551 and r.regime == "fed"
    with pytest.raises(ms.InvalidInputError, match="cpu_throughput"):
        WALL(samples=256, cpu="genoa", cores=64)  # no measured rate: ask for it, never invent one
    with pytest.raises(ms.InvalidInputError, match="tokenize rate"):
        WALL(batch=8, sequence_length=4096, cpu="axion", cores=4)


def test_tokenization_is_cheap():
    # atsentia's mojo-tokenizer benchmark: tiktoken encodes 5.1 M tokens/s on one Apple Silicon core.
    r = WALL(batch=8, sequence_length=4096, cpu_throughput=5.1e6, cores=1, step_time="0.5 s", devices=8)
    assert r.items == 8 * 8 * 4096
    assert r.time == pytest.approx(8 * 8 * 4096 / 5.1e6)
    assert r.cores_needed == 1 and r.starvation_fraction == 0 and r.regime == "fed"
    assert "tokens" in r.explain()


def test_without_a_step_time_only_the_time_is_known():
    r = WALL(samples=256, cpu_throughput=500, cores=4)
    assert r.time == pytest.approx(256 / 2000)
    assert r.cores_needed is None and r.regime is None
    assert "{" not in r.explain()


def test_solve_for_cores():
    inputs = {k: v for k, v in IMAGES.items() if k != "cores"}
    assert WALL.solve("time", "0.1 s", "cores", **inputs).value == 36


@settings(max_examples=60, deadline=None)
@given(samples=st.integers(1, 4096), rate=st.floats(10, 1e4), cores=st.integers(1, 256), more=st.integers(1, 256),
       devices=st.integers(1, 16), step=st.floats(1e-3, 10))
def test_more_cores_never_slower(samples, rate, cores, more, devices, step):
    kwargs = {"samples": samples, "cpu_throughput": rate, "step_time": step, "devices": devices}
    few, many = WALL(**kwargs, cores=cores), WALL(**kwargs, cores=cores + more)
    assert many.time <= few.time
    assert many.starvation_fraction <= few.starvation_fraction
    assert 0 <= few.starvation_fraction < 1
    assert (few.regime == "starved") == (few.starvation_fraction > 0)
    assert WALL(**kwargs, cores=int(few.cores_needed)).time <= step * (1 + 1e-9)


def test_missing_or_conflicting_alternatives_are_named_errors():
    with pytest.raises(ms.InvalidInputError, match="sequence_length"):
        WALL(cpu_throughput=500, cores=4)
    with pytest.raises(ms.InvalidInputError, match="samples"):
        WALL(batch=8, cpu_throughput=500, cores=4)  # a batch without sequence_length is ambiguous
    with pytest.raises(ms.InvalidInputError, match="one of the two"):
        WALL(samples=8, batch=8, sequence_length=128, cpu_throughput=500, cores=4)
    with pytest.raises(ms.InvalidInputError, match="cpu_throughput"):
        WALL(samples=8, cores=4)
    with pytest.raises(ms.InvalidInputError, match="kind"):
        WALL(samples=8, cpu="axion", kind="tokens", cores=4)
    with pytest.raises(ms.UnknownNameError, match="cpu"):
        WALL(samples=8, cpu="pentium-ii", cores=4)


def test_cli_json_and_bad_value(capsys):
    argv = ["wall", "transformation", "--samples", "256", "--cpu-throughput", "577/s", "--cores", "32",
            "--step-time", "100ms", "--devices", "8"]
    assert main([*argv, "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["outputs"]["cores_needed"] == 36 and data["units"]["time"] == "s"
    assert main(["wall", "transformation", "--samples", "256", "--cpu-throughput", "577 GB", "--cores", "32"]) == 2
    err = capsys.readouterr().err.strip()
    assert err.count("\n") == 0 and "cpu_throughput" in err
