"""`mlsysim plot KIND …` and `--plot FILE` on `mlsysim wall` / `mlsysim sweep`, through the real entry point."""

from __future__ import annotations

import json

import pytest

from mlsysim.cli.main import main

pytest.importorskip("matplotlib")

SERVING = ["--model", "llama-3-8b", "--hardware", "H100"]
QUEUE = ["--arrival-rate", "8/s", "--service-rate", "1/s", "--servers", "10"]


@pytest.mark.parametrize("argv, suffix", [
    (["plot", "roofline", "serving", *SERVING], ".png"),
    (["plot", "roofline", "memory", "--weight-bytes", "16GB", "--hardware", "H100", "--flops", "32GFLOP"], ".svg"),
    (["plot", "tornado", "memory", "--weight-bytes", "16GB", "--bandwidth", "3.35TB/s"], ".svg"),
    (["plot", "tornado", "serving", *SERVING, "--of", "ttft", "--params", "prompt_tokens,batch"], ".png"),
    (["plot", "queue", "tail-latency", *QUEUE], ".png"),
    (["plot", "queue", "16", "--utilization", "0.8", "--job-duration", "1h"], ".svg"),
    (["plot", "pareto", "serving", "--model", "llama-3-8b", "--hardware", "H100,H200", "--batch", "1..64:log2",
      "--x", "itl", "--y", "throughput:max"], ".png"),
    (["plot", "waterfall", "--ideal", "10days", "--term", "mfu=0.45@software", "--term", "scaling=90%@14"], ".svg"),
])
def test_each_kind_draws_a_valid_image(tmp_path, capsys, assert_image, argv, suffix):
    path = tmp_path / f"plot{suffix}"
    assert main([*argv, "-o", str(path), "--json"]) == 0, capsys.readouterr().err
    data = json.loads(capsys.readouterr().out)
    assert data["file"] == str(path) and data["kind"] == argv[1]
    assert_image(path)


def test_wall_plot_option(tmp_path, capsys, assert_image):
    path = tmp_path / "queue.png"
    assert main(["wall", "tail-latency", *QUEUE, "--plot", str(path), "--json"]) == 0
    captured = capsys.readouterr()
    assert json.loads(captured.out)["slug"] == "tail-latency" and f"drew {path}" in captured.err
    assert_image(path)


def test_sweep_plot_and_pareto_options(tmp_path, capsys, assert_image):
    lines, front = tmp_path / "lines.svg", tmp_path / "front.png"
    base = ["sweep", "serving", "--model", "llama-3-8b", "--hardware", "H100,B200", "--batch", "1..128:log2"]
    assert main([*base, "--plot", str(lines), "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["plot"] == str(lines)
    assert main([*base, "--plot", str(front), "--pareto", "throughput:max"]) == 0
    capsys.readouterr()
    assert_image(lines)
    assert_image(front)


@pytest.mark.parametrize("argv, fragment", [
    (["plot", "queue", "memory", "--weight-bytes", "16GB", "--bandwidth", "3TB/s", "-o", "q.png"], "queueing walls"),
    (["plot", "roofline", "compute", "--flops", "1e12", "--hardware", "H100", "-o", "r.png"], "arithmetic intensity"),
    (["plot", "waterfall", "memory", "--weight-bytes", "16GB", "--bandwidth", "3TB/s", "-o", "w.png"], "no Iron Law"),
    (["plot", "waterfall", "--ideal", "1day", "--term", "mfu", "-o", "w.png"], "NAME=FACTOR"),
    (["plot", "waterfall", "--term", "mfu=0.5"], "give --ideal"),
    (["plot", "roofline", "serving", *SERVING], "Missing option"),
    (["plot", "roofline", "serving", *SERVING, "-o", "roofline.jpg"], "end the file name with"),
    (["plot", "pareto", "serving", *SERVING, "--x", "itl", "--y", "thruput", "-o", "p.png"], "did you mean"),
    (["plot", "tornado", "nowall", "-o", "t.png"], "unknown wall or scenario"),
    (["wall", "memory", "--weight-bytes", "16GB", "--bandwidth", "3TB/s", "--plot", "m.gif"], "end the file name"),
])
def test_plot_errors_are_one_line_exit_2(tmp_path, monkeypatch, capsys, argv, fragment):
    monkeypatch.chdir(tmp_path)
    assert main(argv) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and fragment in err, err
    assert not list(tmp_path.iterdir())  # nothing half-written
