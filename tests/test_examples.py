"""Every scenario file in examples/ runs as it is, and its assertions hold."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from mlsysim.cli.main import main

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"
FILES = sorted(EXAMPLES.glob("*.yaml"))
EXPECTED = {"llama3-405b-pretraining", "llama3-70b-chat-serving", "deepseek-v3-moe-training",
            "reasoning-test-time-compute", "resnet50-storage-bound", "keyword-spotting-mcu"}


def test_the_promised_examples_are_there():
    assert EXPECTED <= {f.stem for f in FILES}


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.stem)
def test_example_runs_and_its_assertions_hold(path, capsys):
    assert main(["run", str(path)]) == 0, capsys.readouterr().err
    out = capsys.readouterr().out
    assert "FAILED" not in out and out.rstrip().endswith("all hold")


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.stem)
def test_example_json_has_assertions_that_pass(path, capsys):
    assert main(["run", str(path), "--json"]) == 0
    runs = json.loads(capsys.readouterr().out)
    checks = [a for run in runs for a in run["assertions"]]
    assert checks and all(a["passed"] for a in checks)


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.stem)
def test_example_says_what_it_shows_and_is_listed(path):
    text = path.read_text(encoding="utf-8")
    assert text.startswith("# ") and "come from" in text.split("\n\n")[0] + text[:2000]
    assert f"`{path.name}`" in (EXAMPLES / "README.md").read_text(encoding="utf-8")


def test_the_readme_snippet_runs(tmp_path, capsys):
    readme = (EXAMPLES / "README.md").read_text(encoding="utf-8")
    (snippet,) = re.findall(r"```yaml\n(.*?)```", readme, re.S)
    path = tmp_path / "snippet.yaml"
    path.write_text(snippet)
    assert main(["run", str(path)]) == 0, capsys.readouterr().err


def test_the_storage_bound_example_is_bound_by_ingestion(capsys):
    assert main(["run", str(EXAMPLES / "resnet50-storage-bound.yaml"), "--json"]) == 0
    starved, fed = json.loads(capsys.readouterr().out)
    assert starved["result"]["outputs"]["binding_wall"] == "ingestion"
    assert fed["result"]["outputs"]["binding_wall"] != "ingestion"
