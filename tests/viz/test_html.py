"""Notebook display: results, sweeps, sensitivities and solves render as HTML tables with units."""

from __future__ import annotations

import xml.etree.ElementTree as ElementTree

import numpy as np
import pytest

import mlsysim as ms


def parse(html: str):
    """Well-formed: the HTML parses as XML (every tag closed, text escaped)."""
    return ElementTree.fromstring(html)


@pytest.mark.parametrize("wall", list(ms.walls), ids=lambda w: w.slug)
def test_every_wall_result_is_a_table(wall):
    result = wall.example()
    html = result._repr_html_()
    root = parse(html)
    assert root.find(".//table") is not None
    text = "".join(root.itertext())
    assert wall.question in text and wall.headline in text


def test_result_table_has_units_values_and_the_explanation():
    result = ms.wall("memory")(weight_bytes="16 GB", bandwidth="3.35 TB/s")
    text = "".join(parse(result._repr_html_()).itertext())
    assert "4.776 ms" in text and "16 GB" in text and "B/s" in text
    assert result.explain() in text and "Wall 2 · memory" in text


def test_array_results_show_ranges():
    result = ms.wall("memory")(weight_bytes=np.array([1e9, 4e9]), bandwidth="1 TB/s")
    assert "1 ms … 4 ms" in "".join(parse(result._repr_html_()).itertext())


def test_sweep_shows_its_first_rows():
    sweep = ms.wall("memory").sweep(weight_bytes=list(np.geomspace(1e9, 1e12, 50)), bandwidth="1 TB/s")
    root = parse(sweep._repr_html_())
    assert len(root.findall(".//tbody/tr")) == 20
    assert "sweep of 50 points (50 valid), first 20" in "".join(root.itertext())


def test_sweep_with_invalid_points_says_why():
    sweep = ms.wall("tail-latency").sweep(invalid="nan", arrival_rate=[5, 20], service_rate=1, servers=10)
    text = "".join(parse(sweep._repr_html_()).itertext())
    assert "unstable queue" in text and "1 valid" in text


def test_sensitivity_and_solve_tables():
    sensitivity = ms.wall("memory").sensitivity(weight_bytes="16 GB", bandwidth="3.35 TB/s")
    text = "".join(parse(sensitivity._repr_html_()).itertext())
    assert "◀ binding" in text and "+1.000" in text and "3.35 TB/s" in text
    solution = ms.wall("memory").solve("time", "4 ms", "bandwidth", weight_bytes="16 GB")
    text = "".join(parse(solution._repr_html_()).itertext())
    assert "4 TB/s" in text and "closed form" in text


def test_names_are_escaped(monkeypatch):
    from mlsysim.walls.html import _table

    html = _table(["<b>"], [["a & b"]], "x < y")
    assert "&lt;b&gt;" in html and "a &amp; b" in html and "x &lt; y" in html


def test_sweep_to_dataframe():
    pytest.importorskip("pandas")
    sweep = ms.wall("serving").sweep(model="llama-3-8b", hardware=["H100", "H200"], batch=[1, 8])
    frame = sweep.to_dataframe()
    assert len(frame) == 4 and {"hardware", "batch", "itl", "valid"} <= set(frame.columns)
    assert frame["itl"].tolist() == pytest.approx(list(sweep["itl"]))
