"""`mlsysim sensitivity` and `mlsysim synthesize` over walls and scenarios, through the real entry point."""

import json

import pytest

from mlsysim.cli.main import main


def test_sensitivity_names_bandwidth_for_decode(capsys):
    argv = ["sensitivity", "serving", "--model", "llama-3-8b", "--hardware", "h100", "--output", "itl",
            "--params", "bandwidth,peak_flops", "--json"]
    assert main(argv) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["binding"] == "bandwidth" and data["elasticities"]["bandwidth"] == pytest.approx(-1, abs=0.02)


def test_sensitivity_over_a_scenario(capsys):
    argv = ["sensitivity", "training", "--model", "llama-3-8b", "--hardware", "h100", "--devices", "64", "--tp", "2",
            "--tokens", "1T", "--params", "matmul_efficiency,mtbf"]
    assert main(argv) == 0
    assert "matmul_efficiency" in capsys.readouterr().out


def test_synthesize_the_inverse_roofline(capsys):
    argv = ["synthesize", "memory", "--weight-bytes", "140GB", "--output", "time", "--target", "50ms",
            "--vary", "bandwidth", "--json"]
    assert main(argv) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["value"] == pytest.approx(2.8e12) and data["method"] == "closed form"


def test_synthesize_whole_numbers_by_search(capsys):
    argv = ["synthesize", "tail-latency", "--arrival-rate", "9/s", "--service-rate", "1/s", "--output", "mean_wait",
            "--target", "0.1s", "--vary", "servers", "--json"]
    assert main(argv) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["value"] == int(data["value"]) and data["achieved"] <= 0.1 * 1.5


@pytest.mark.parametrize("argv, code", [
    (["synthesize", "memory", "--weight-bytes", "140GB", "--output", "time", "--target", "50ms", "--vary", "nope"], 2),
    (["synthesize", "tail-latency", "--arrival-rate", "9/s", "--service-rate", "1/s", "--output", "mean_wait",
      "--target", "1 ns", "--vary", "servers", "--bracket", "10,20"], 3),
    (["sensitivity", "memory", "--weight-bytes", "16GB", "--bandwidth", "3TB/s", "--output", "nothing"], 2),
])
def test_errors_are_one_line(argv, code, capsys):
    assert main(argv) == code
    err = capsys.readouterr().err.strip()
    assert err.count("\n") == 0 and "Traceback" not in err


def test_wall_tables_summarize_nested_outputs_and_fit_the_terminal(capsys, monkeypatch):
    # The synthesis wall's `options` is a list of 55 records: the table shows the first few names and
    # the count, and no line runs past the terminal (before, the cell held the whole Python repr).
    monkeypatch.setenv("COLUMNS", "100")
    assert main(["wall", "synthesis", "--weight-bytes", "140GB", "--target-latency", "50ms"]) == 0
    out = capsys.readouterr().out
    assert max(len(line) for line in out.splitlines()) <= 100
    assert "'hardware':" not in out and "in all;" in out
    assert main(["wall", "synthesis", "--weight-bytes", "140GB", "--target-latency", "50ms", "--json"]) == 0
    options = json.loads(capsys.readouterr().out)["outputs"]["options"]
    assert len(options) > 3 and options[0]["devices"] == 1  # the whole list is still in --json
