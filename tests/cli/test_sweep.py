"""`mlsysim sweep`: value syntax, the vectorized grid, chunking, files, best rows, errors, JSON."""

from __future__ import annotations

import csv
import json
import sys

import numpy as np
import pytest

import mlsysim as ms
from mlsysim.cli.main import main
from mlsysim.cli.sweep import evaluate, expand_range, parse_values, resolve_target
from mlsysim.errors import InvalidInputError


def spec(wall, name):
    return ms.wall(wall).inputs[name]


# -- values ------------------------------------------------------------------------------------

@pytest.mark.parametrize("text, expected", [
    ("1..256:log2", [1, 2, 4, 8, 16, 32, 64, 128, 256]),
    ("3..100:log2", [4, 8, 16, 32, 64]),
    ("1..8", [1, 2, 3, 4, 5, 6, 7, 8]),
    ("1..100:lin4", [1, 34, 67, 100]),
])
def test_ranges_of_a_count(text, expected):
    assert expand_range(text, spec("serving", "batch")) == expected


def test_log_range_with_units_is_si_and_log_spaced():
    values = expand_range("1GB..100GB:log5", spec("memory", "weight_bytes"))
    np.testing.assert_allclose(values, [1e9, 10**9.5, 1e10, 10**10.5, 1e11])
    assert len(expand_range("1e9..1e12:log20", spec("memory", "weight_bytes"))) == 20


def test_integer_inputs_are_rounded_and_deduplicated():
    values = expand_range("1..10:log20", spec("tail-latency", "servers"))
    assert values == sorted(set(values)) and all(v == int(v) for v in values)
    assert values[0] == 1 and values[-1] == 10


def test_lists_single_values_and_names():
    assert parse_values("1TB/s,3.35TB/s", spec("memory", "bandwidth")) == [1e12, 3.35e12]
    assert parse_values("3.35TB/s", spec("memory", "bandwidth")) == "3.35TB/s"  # the wall parses it
    assert parse_values("H100, H200,B200", spec("serving", "hardware")) == ["H100", "H200", "B200"]


@pytest.mark.parametrize("text, fragment", [
    ("1..x:log2", "--batch"),
    ("1..256:foo2", "unknown spacing"),
    ("1..256:lin1", "unknown spacing"),
    ("256..1:log2", "no larger than HI"),
    ("0..8:log2", "LO > 0"),
    ("1.5..8", "whole numbers"),
    ("1..1000000", "whole numbers"),
    ("1,,2", "empty item"),
])
def test_bad_values_name_the_flag(text, fragment):
    with pytest.raises(InvalidInputError) as error:
        parse_values(text, spec("serving", "batch"))
    assert fragment in str(error.value) and "--batch" in str(error.value)


def test_ranges_need_a_numeric_input():
    with pytest.raises(InvalidInputError, match="--hardware: a range needs a numeric input"):
        parse_values("1..4", spec("serving", "hardware"))


# -- evaluation ----------------------------------------------------------------------------------

def test_chunks_give_the_same_rows_as_one_call():
    wall = ms.wall("tail-latency")
    inputs = {"arrival_rate": [1.0, 2.0, 3.0, 4.0, 5.0], "service_rate": [1.0, 2.0], "servers": [8.0, 9.0, 10.0]}
    whole = wall.sweep(**inputs)
    for chunk in (1, 4, 7, 1000):
        parts = evaluate(wall, inputs, "raise", chunk, progress=False)
        assert len(parts) == len(whole) and parts.shape == whole.shape
        for name, column in whole.outputs.items():
            if column.dtype == object:
                assert parts.outputs[name].tolist() == column.tolist()
            else:  # iterative quantiles may differ in the last bit between batch sizes
                np.testing.assert_allclose(parts.outputs[name], column, rtol=1e-12)
        for name in whole.columns:
            np.testing.assert_array_equal(parts.columns[name], whole.columns[name])


def run_json(argv, capsys):
    code = main(argv + ["--json"])
    captured = capsys.readouterr()
    assert code == 0, captured.err
    return json.loads(captured.out)


def test_json_has_the_best_rows_sorted(capsys):
    data = run_json(["sweep", "memory", "--weight-bytes", "1GB..100GB:log5", "--bandwidth", "1TB/s,3.35TB/s"], capsys)
    assert data["target"] == "memory" and data["points"] == 10 and data["valid"] == 10
    assert data["best"] == "time" and data["minimize"] is True and data["file"] is None
    times = [row["time"] for row in data["rows"]]
    assert times == sorted(times) and len(times) == 5
    assert times[0] == pytest.approx(1e9 / 3.35e12)
    assert data["units"]["time"] == "s" and data["units"]["weight_bytes"] == "B"


def test_best_top_and_maximize(capsys):
    data = run_json(["sweep", "tail-latency", "--arrival-rate", "1..9:lin9", "--service-rate", "1/s",
                     "--servers", "10", "--best", "wait_p99", "--maximize", "--top", "2"], capsys)
    assert [row["arrival_rate"] for row in data["rows"]] == [9.0, 8.0]
    assert data["minimize"] is False


def test_specs_are_axes_too(capsys):
    data = run_json(["sweep", "serving", "--model", "llama-3-8b", "--hardware", "H100,H200,B200",
                     "--batch", "1..256:log2", "--top", "30"], capsys)
    assert data["points"] == 27 and len(data["rows"]) == 27
    assert len({row["hardware"] for row in data["rows"]}) == 3


def test_human_report_prints_a_table_of_the_swept_inputs(capsys):
    assert main(["sweep", "serving", "--model", "llama-3-8b", "--hardware", "H100,H200", "--batch", "1,8"]) == 0
    captured = capsys.readouterr()
    assert "Best 4 by itl (lowest)" in captured.out
    assert "hardware" in captured.out and "batch" in captured.out and "ms" in captured.out
    assert "4 points, 4 valid" in captured.err


def test_csv_has_every_point_in_si(tmp_path, capsys):
    path = tmp_path / "grid.csv"
    data = run_json(["sweep", "memory", "--weight-bytes", "1GB..1TB:log4", "--bandwidth", "2TB/s,4TB/s",
                     "-o", str(path)], capsys)
    assert data["file"] == str(path)
    with open(path, newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert len(rows) == 8
    assert {"weight_bytes", "bandwidth", "time", "valid", "reason"} <= set(rows[0])
    for row in rows:
        assert float(row["time"]) == pytest.approx(float(row["weight_bytes"]) / float(row["bandwidth"]))


def test_parquet_round_trips(tmp_path, capsys):
    pd = pytest.importorskip("pandas")
    pytest.importorskip("pyarrow")
    path = tmp_path / "grid.parquet"
    run_json(["sweep", "memory", "--weight-bytes", "1GB,2GB,4GB", "--bandwidth", "1TB/s", "-o", str(path)], capsys)
    frame = pd.read_parquet(path)
    assert len(frame) == 3 and frame["time"].tolist() == pytest.approx([1e-3, 2e-3, 4e-3])


def test_invalid_points_stop_the_sweep_unless_asked(capsys):
    argv = ["sweep", "tail-latency", "--arrival-rate", "5,20", "--service-rate", "1/s", "--servers", "10"]
    assert main(argv) == 3  # 20/s on 10 servers of 1/s is an unstable queue
    error = capsys.readouterr().err.strip().splitlines()
    assert len(error) == 1 and "--invalid nan" in error[0]
    data = run_json(argv + ["--invalid", "nan"], capsys)
    assert data["points"] == 2 and data["valid"] == 1 and len(data["rows"]) == 1


def test_progress_bar_when_forced(capsys):
    assert main(["sweep", "memory", "--weight-bytes", "1GB..1TB:log50", "--bandwidth", "1TB/s..4TB/s:lin20",
                 "--progress", "--chunk-size", "100"]) == 0
    assert "1,000 points" in capsys.readouterr().err


@pytest.mark.parametrize("argv, fragment", [
    (["sweep", "memory", "--weight-bytes", "1..x:log2", "--bandwidth", "1TB/s"], "--weight-bytes"),
    (["sweep", "memory", "--weight-bytes", "1GB", "--bandwidth", "1TB/s", "-o", "grid.txt"], ".csv or .parquet"),
    (["sweep", "memory", "--weight-bytes", "1GB", "--bandwidth", "1TB/s", "--best", "tiem"], "did you mean 'time'"),
    (["sweep", "memroy", "--weight-bytes", "1GB"], "did you mean 'memory'"),
    (["sweep", "memory", "--weight-bytes", "1GB,2GB", "--bandwidth", "3TB"], "expected a bandwidth"),
    (["sweep", "memory", "--bandwidth", "1TB/s"], "give weight_bytes, or a model"),
])
def test_user_errors_are_one_line_exit_2(argv, fragment, capsys):
    assert main(argv) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and fragment in err and "Traceback" not in err


def test_help_lists_targets_and_flags(capsys):
    assert main(["sweep", "--help"]) == 0
    assert "tail-latency" in capsys.readouterr().out
    assert main(["sweep", "serving", "--help"]) == 0
    out = capsys.readouterr().out
    assert "--batch" in out and "log2" in out and "--output" in out


def test_scenarios_resolve_after_walls():
    """Walls come first ('serving' is Wall 4); scenarios are reached by their own names."""
    assert resolve_target("memory") is ms.wall("memory")
    assert resolve_target("serving") is ms.wall("serving")
    assert resolve_target("training").slug == "training"
    assert resolve_target("serving-deployment").slug == "serving-deployment"
    with pytest.raises(ms.UnknownNameError, match="wall or scenario"):
        resolve_target("nothing-like-it")
    assert main(["sweep", "training", "--model", "llama-3-8b", "--hardware", "h100", "--devices", "64,128",
                 "--tp", "2", "--tokens", "1T"]) == 0
