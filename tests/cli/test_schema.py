"""`mlsysim schema`: the scenario file's JSON Schema, generated from the declarations, and its docs."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from mlsysim.cli.main import COMMANDS, main
from mlsysim.scenarios import get
from mlsysim.scenarios.file_schema import read
from mlsysim.walls import all_walls

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


@pytest.fixture(scope="module")
def schema():
    from mlsysim.cli.schema import schema

    return schema()


def test_the_command_prints_the_schema(capsys, tmp_path):
    assert main(["schema"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert main(["schema", "-o", str(tmp_path / "s.json")]) == 0
    assert json.loads((tmp_path / "s.json").read_text()) == data


def test_every_scenario_and_wall_input_is_named(schema):
    defs = schema["$defs"]
    for key in ("training", "serving"):
        inputs = defs[f"scenario-{key}-inputs"]
        assert set(inputs["properties"]) == {*get(key).inputs, *get(key).aliases}  # aliases: weight_precision
        assert inputs["additionalProperties"] is False
        assert set(inputs["required"]) == {s.name for s in get(key).inputs.values() if s.required}
    for wall in all_walls():
        assert set(defs[f"wall-{wall.slug}-inputs"]["properties"]) == {*wall.inputs, *wall.aliases}


def test_inputs_carry_type_enum_range_and_meaning(schema):
    training = schema["$defs"]["scenario-training-inputs"]["properties"]
    assert training["devices"]["type"] == ["integer", "string"] and training["devices"]["minimum"] == 1
    assert "accelerators in the job" in training["devices"]["description"] and "≥ 1" in training["devices"]["description"]
    assert training["recompute"]["enum"] == ["none", "selective", "full"]
    assert training["hardware"]["type"] == "string" and "mlsysim zoo hardware" in training["hardware"]["description"]
    serving = schema["$defs"]["scenario-serving-inputs"]["properties"]
    assert serving["reserve"]["exclusiveMaximum"] == 1


def test_every_object_is_strict(schema):
    def walk(node):
        if isinstance(node, dict):
            if node.get("type") == "object" and "properties" in node:
                assert node.get("additionalProperties") is False, node.get("description")
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(schema)


def test_the_examples_validate_and_bad_files_do_not(schema, tmp_path):
    jsonschema = pytest.importorskip("jsonschema")
    validator = jsonschema.Draft202012Validator(schema)
    jsonschema.Draft202012Validator.check_schema(schema)
    files = sorted(EXAMPLES.glob("*.yaml"))
    assert files
    for path in files:
        data, _ = read(path)
        errors = [e.message for e in validator.iter_errors(data)]
        assert not errors, (path.name, errors[:3])
    bad = {"unknown input": "training: {model: a, hardware: b, devices: 8, devcies: 8}\n",
           "negative": "training: {model: a, hardware: b, devices: -8}\n",
           "unknown output": "wall: memory\ninputs: {weight_bytes: 1 GB, bandwidth: 1 GB/s}\nassert: ['tiem < 1 s']\n",
           "bad choice": "training: {model: a, hardware: b, devices: 8, recompute: some}\n",
           "unknown key": "runs: []\nextra: 1\n"}
    for name, text in bad.items():
        path = tmp_path / f"{name}.yaml"
        path.write_text(text)
        data, _ = read(path)
        assert not validator.is_valid(data), name


def test_the_docs_pages_are_generated(tmp_path):
    from mlsysim.cli.docs_command import build_site

    build_site(tmp_path)
    reference = (tmp_path / "scenario-files.md").read_text()
    assert "## Training scenario: `training:`" in reference and "## Serving scenario: `serving:`" in reference
    for spec in get("training").inputs.values():
        assert f"| `{spec.name}` |" in reference
    assert "`wall: memory`" in reference and "`hardware:` fields:" in reference
    for name in ("train", "serve", "run", "sweep", "schema"):
        assert name in COMMANDS
        page = (tmp_path / "commands" / f"{name}.md").read_text()
        assert page.startswith(f"# `mlsysim {name}`") and "## Worked example" in page
        assert f"$ mlsysim {name}" in page and "Exit code 0." in page
    assert "all hold" in (tmp_path / "commands" / "run.md").read_text()
    assert "(run.md)" in (tmp_path / "commands" / "index.md").read_text()
