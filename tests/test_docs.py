"""The docs site source: generated pages for every wall, the command line and the registries."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import yaml

import mlsysim as ms
from mlsysim.cli.docs_command import build_site
from mlsysim.cli.main import COMMANDS, main

ROOT = Path(__file__).resolve().parents[1]


def test_every_wall_gets_a_page(tmp_path):
    written = build_site(tmp_path)
    assert written
    index = (tmp_path / "walls" / "index.md").read_text()
    for wall in ms.walls:
        page = (tmp_path / "walls" / f"{wall.slug}.md").read_text()
        assert wall.question in page and wall.equation in page and "## Inputs" in page
        for spec in wall.inputs.values():
            assert f"`{spec.name}`" in page
        assert "## Worked example 1" in page  # computed live from the declaration
        assert f"]({wall.slug}.md)" in index


def test_cli_and_registry_pages(tmp_path):
    build_site(tmp_path)
    cli = (tmp_path / "cli.md").read_text()
    for name in COMMANDS:
        assert f"## `mlsysim {name}`" in cli
    assert "`mlsysim sweep memory`" in cli and "--weight-bytes" in cli  # one generated target shown
    registries = (tmp_path / "registries.md").read_text()
    assert "## hardware (" in registries and "`b200`" in registries.lower()


def test_rebuilding_writes_nothing_new(tmp_path):
    build_site(tmp_path)
    assert build_site(tmp_path) == []


def test_docs_build_command(tmp_path, capsys):
    assert main(["docs", "build", str(tmp_path / "site"), "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert any(path.endswith("memory.md") for path in data["written"])
    blocker = tmp_path / "file"
    blocker.write_text("not a directory")
    assert main(["docs", "build", str(blocker / "site")]) == 2
    assert len(capsys.readouterr().err.strip().splitlines()) == 1


def load_hooks():
    spec = importlib.util.spec_from_file_location("docs_hooks", ROOT / "docs" / "hooks.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_mkdocs_config_and_nav():
    config = yaml.safe_load((ROOT / "mkdocs.yml").read_text())
    assert config["hooks"] == ["docs/hooks.py"] and config["docs_dir"] == "docs"
    generated = {"cli.md", "registries.md", "walls/index.md"}
    hand_written = {"validation.md"}  # written by the validation work, may land later
    for item in config["nav"]:
        (page,) = item.values()
        assert page in generated | hand_written or (ROOT / "docs" / page).exists(), page
    load_hooks().on_config(config)
    (walls,) = [item["Walls"] for item in config["nav"] if "Walls" in item]
    assert walls[0] == "walls/index.md" and len(walls) == len(ms.walls) + 1
    assert list(walls[2].values()) == ["walls/memory.md"]


def test_the_hook_generates_into_docs_dir(tmp_path):
    load_hooks().on_pre_build({"docs_dir": str(tmp_path)})
    assert (tmp_path / "walls" / "memory.md").exists() and (tmp_path / "cli.md").exists()
