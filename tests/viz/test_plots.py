"""Every plot of `mlsysim.viz` renders to a valid PNG and SVG, with units and the binding wall."""

from __future__ import annotations

import numpy as np
import pytest

import mlsysim as ms

pytest.importorskip("matplotlib")

from mlsysim import viz  # noqa: E402


def serving():
    return ms.wall("serving")(model="llama-3-8b", hardware="H100", batch=8)


def texts(fig) -> str:
    ax = fig.axes[0]
    return " ".join([ax.get_title(), ax.get_xlabel(), ax.get_ylabel(), *(t.get_text() for t in ax.texts)])


@pytest.mark.parametrize("suffix", [".png", ".svg"])
def test_roofline_of_serving_has_prefill_and_decode(tmp_path, suffix, assert_image):
    fig = viz.roofline(serving(), tmp_path / f"roofline{suffix}")
    assert_image(tmp_path / f"roofline{suffix}")
    shown = texts(fig)
    assert "prefill: compute-bound" in shown and "decode: memory-bound" in shown
    assert "Wall 2 · memory binds" in shown and "(FLOP/B)" in shown and "TFLOP/s" in shown


def test_roofline_points_sit_on_the_roof():
    data = viz.roofline_data(serving())
    assert [p.label for p in data.points] == ["prefill", "decode"]
    for point in data.points:
        roof = min(data.peak, point.intensity * data.bandwidth)
        assert point.performance == pytest.approx(roof, rel=1e-9)


def test_roofline_of_the_memory_wall(tmp_path, assert_image):
    viz.roofline(ms.wall("memory").example(1), tmp_path / "memory.svg")
    assert_image(tmp_path / "memory.svg")


def test_roofline_refuses_results_without_intensity():
    with pytest.raises(ms.InvalidInputError, match="roofline"):
        viz.roofline(ms.wall("sustainability").example())  # its "intensity" is gCO2e/kWh


@pytest.mark.parametrize("suffix", [".png", ".svg"])
def test_tornado_names_the_binding_input(tmp_path, suffix, assert_image):
    result = ms.wall("serving").sensitivity(model="llama-3-8b", hardware="H100", batch=8)
    fig = viz.tornado(result, tmp_path / f"tornado{suffix}")
    assert_image(tmp_path / f"tornado{suffix}")
    assert f"binding: {result.binding}" in texts(fig) and "bandwidth = 3.35 TB/s" in " ".join(
        t.get_text() for t in fig.axes[0].get_yticklabels())


@pytest.mark.parametrize("wall, inputs", [
    ("tail-latency", {"arrival_rate": "8/s", "service_rate": "1/s", "servers": 10}),
    ("multi-tenant", {"utilization": 0.8, "job_duration": "1 h", "cv": 0.5, "servers": 2}),
])
def test_queue_curves_mark_the_point(tmp_path, wall, inputs, assert_image):
    fig = viz.queue_curve(ms.wall(wall)(**inputs), tmp_path / "queue.png")
    assert_image(tmp_path / "queue.png")
    shown = texts(fig)
    assert "utilization ρ (%)" in shown and "at 80%" in shown and "binding: utilization" in shown
    assert "wait before service (" in shown


def test_queue_curve_refuses_other_walls():
    with pytest.raises(ms.InvalidInputError, match="queueing walls"):
        viz.queue_curve(ms.wall("memory").example())


@pytest.mark.parametrize("suffix", [".png", ".svg"])
def test_waterfall_from_ideal_to_achieved(tmp_path, suffix, assert_image):
    terms = [("MFU", 0.45, "software"), ("η_scaling", 0.9, 14), ("goodput", 0.95, ms.wall("fragility"))]
    fig = viz.waterfall(terms, ideal=10 * 86400, path=tmp_path / f"waterfall{suffix}")
    assert_image(tmp_path / f"waterfall{suffix}")
    shown = texts(fig)
    assert "10 days ideal → 25.99 days achieved" in shown
    assert "binding term: MFU = 0.45, Wall 3 · software" in shown and "time (days)" in shown


def test_waterfall_takes_a_scenario_style_breakdown(tmp_path):
    breakdown = {"ideal_time": 3600.0, "values": {"N": 64, "peak": 1e15, "mfu": 0.5, "eta_scaling": 0.8,
                                                  "goodput": 0.99},
                 "walls": {"mfu": "software", "eta_scaling": "communication", "goodput": "checkpoint"}}
    fig = viz.waterfall(breakdown, path=tmp_path / "breakdown.png")
    assert "binding term: mfu = 0.5" in texts(fig)
    assert [t.get_text().split("\n")[0] for t in fig.axes[0].get_xticklabels()] == [
        "ideal", "mfu", "eta_scaling", "goodput", "achieved"]


def test_pareto_front_of_a_sweep(tmp_path, assert_image):
    sweep = ms.wall("serving").sweep(model="llama-3-8b", hardware=["H100", "H200", "B200"],
                                     batch=[1, 2, 4, 8, 16, 32, 64, 128, 256])
    fig = viz.pareto(sweep, "itl", "throughput", tmp_path / "front.svg", minimize=(True, False))
    assert_image(tmp_path / "front.svg")
    shown = texts(fig)
    assert "Pareto front of throughput vs itl" in shown and "itl (ms)" in shown and "b200, batch=256" in shown


def test_sweep_plot_draws_one_line_per_other_axis(tmp_path, assert_image):
    sweep = ms.wall("serving").sweep(model="llama-3-8b", hardware=["H100", "H200"], batch=[1, 4, 16, 64])
    fig = viz.sweep_plot(sweep, "itl", tmp_path / "lines.png")
    assert_image(tmp_path / "lines.png")
    assert len(fig.axes[0].get_lines()) == 2 and "binding regime: memory-bound" in texts(fig)


@pytest.mark.parametrize("wall", list(ms.walls), ids=lambda w: w.slug)
def test_every_wall_result_has_a_picture(tmp_path, wall, assert_image):
    path = tmp_path / f"{wall.slug}.png"
    viz.plot_result(wall.example(), path)
    assert_image(path)


def test_unknown_format_is_refused_before_drawing(tmp_path):
    with pytest.raises(ms.InvalidInputError, match="end the file name with .png"):
        viz.roofline(serving(), tmp_path / "roofline.jpg")


def test_arrays_become_several_points():
    result = ms.wall("serving")(model="llama-3-8b", hardware="H100", batch=np.array([1.0, 64.0]))
    assert [p.label for p in viz.roofline_data(result).points] == ["prefill #1", "prefill #2", "decode #1",
                                                                  "decode #2"]
