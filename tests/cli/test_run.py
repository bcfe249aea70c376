"""`mlsysim run FILE.yaml`: malformed files give one located line and exit 2; assertions exit 3."""

from __future__ import annotations

import json

import pytest

import mlsysim as ms
from mlsysim.cli.main import main

TRAIN = "training:\n  model: llama-3-8b\n  hardware: h100\n  devices: 8\n"
HARDWARE = ("hardware:\n  my-gpu:\n    name: My GPU\n    peak: {bf16: 1 PFLOPS}\n    memory: 96 GB\n"
            "    memory_bandwidth: 4 TB/s\n    source: {title: a made-up chip, date: 2025-01-15}\n")

# name: (file text, text the one error line must contain, its line number or None)
MALFORMED = {
    "bad YAML": ("runs:\n  - training: {model: llama-3-8b, hardware: h100\n", "invalid YAML", 3),
    "bad indentation": ("training:\n  model: llama-3-8b\n hardware: h100\n", "invalid YAML", 3),
    "python object": ("wall: !!python/object/apply:os.system ['echo owned']\n", "invalid YAML", 1),
    "duplicate key": (TRAIN + "training: {model: llama-3-8b}\n", "duplicate key", 5),
    "top-level list": ("- training: {}\n", "expected a mapping", 1),
    "runs not a list": ("runs: {training: {}}\n", "runs: expected a non-empty list", 1),
    "run not a mapping": ("runs:\n  - compute\n", "runs[0]: expected a run", 2),
    "inputs not a mapping": ("training: llama-3-8b\n", "training: expected a mapping", 1),
    "list value": ("training:\n  model: llama-3-8b\n  hardware: h100\n  devices: [8, 16]\n", "got a list", 4),
    "boolean value": (TRAIN + "  tp: yes\n", "training.tp: expected a number, got a boolean", 5),
    "number for a name": ("training:\n  model: 8\n  hardware: h100\n  devices: 8\n", "expected a model name", 2),
    "unknown top key": ("runz:\n  - " + TRAIN.replace("\n  ", "\n      "), "did you mean 'runs'", 1),
    "unknown input": ("training:\n  model: llama-3-8b\n  hardware: h100\n  devcies: 8\n", "did you mean 'devices'", 4),
    "unknown run key": ("runs:\n  - wall: compute\n    input: {flops: 1 TFLOP}\n", "did you mean 'inputs'", 3),
    "two targets": ("training: {model: llama-3-8b}\nwall: compute\n", "exactly one of", 1),
    "no run": ("description: nothing to run\n", "no run", 1),
    "unknown model": ("training:\n  model: llama-9\n  hardware: h100\n  devices: 8\n", "unknown model 'llama-9'", 2),
    "unknown hardware": ("training:\n  model: llama-3-8b\n  hardware: h1000\n  devices: 8\n", "unknown hardware", 3),
    "unknown wall": ("wall: computer\ninputs: {flops: 1 TFLOP}\n", "did you mean 'compute'", 1),
    "negative value": ("training:\n  model: llama-3-8b\n  hardware: h100\n  devices: -8\n", "out of range", 4),
    "huge number": (TRAIN + "  tokens: 1e400\n", "not a finite number", 5),
    "huge integer": (TRAIN.replace("devices: 8", "devices: 1" + "0" * 400), "training.devices: inf", 4),
    "not a number": (TRAIN + "  mtbf: .nan\n", "not a finite number", 5),
    "wrong unit": (TRAIN + "  mtbf: 3 TB\n", "expected a time", 5),
    "bad choice": (TRAIN + "  recompute: some\n", "unknown recompute 'some'", 5),
    "missing input": ("wall: compute\n", "give flops", 1),
    "bad assertion": (TRAIN + "assert: ['mfu is high']\n", "not a constraint", 5),
    "unknown output": (TRAIN + "assert: ['mfuu >= 35%']\n", "did you mean 'mfu'", 5),
    "assertion unit": (TRAIN + "assert: ['time <= 3 GB']\n", "expected a time", 5),
    "assertion on a name": (TRAIN + "assert: ['binding_wall <= compute']\n", "compare it with ==", 5),
    "hardware without source": (HARDWARE.replace("    source: {title: a made-up chip, date: 2025-01-15}\n", "")
                                + "wall: compute\ninputs: {model: llama-3-8b, hardware: my-gpu}\n",
                                "hardware.my-gpu.memory: a number without a source", 5),
    "hardware field typo": (HARDWARE.replace("memory: 96 GB", "memroy: 96 GB")
                            + "wall: compute\ninputs: {model: llama-3-8b, hardware: my-gpu}\n",
                            "did you mean 'memory'", 5),
    "negative hardware peak": (HARDWARE.replace("1 PFLOPS", "-1 PFLOPS") + "wall: compute\ninputs: {model: llama-3-8b}\n",
                               "hardware.my-gpu.peak.bf16", 4),
    "duplicate run names": ("runs:\n  - {name: a, wall: compute, inputs: {flops: 1 TFLOP, peak_flops: 1 TFLOPS}}\n"
                            "  - {name: a, wall: compute, inputs: {flops: 1 TFLOP, peak_flops: 1 TFLOPS}}\n",
                            "already used", 3),
    "control character": ("wall: compute\x07\n", "invalid YAML", 1),
    "empty file": ("", "the file is empty", None),
    "only comments": ("# nothing here\n", "the file is empty", None),
    "not UTF-8": (b"wall: compute\n\xff\xfe\n", "not UTF-8", 2),
    "binary file": (bytes(range(256)) * 4, "binary file", None),
}


def _run(capsys, *args):
    code = main(["run", *map(str, args)])
    out, err = capsys.readouterr()
    return code, out, err


@pytest.mark.parametrize("case", list(MALFORMED))
def test_a_malformed_file_is_one_located_line_and_exit_2(tmp_path, capsys, case):
    text, expected, line = MALFORMED[case]
    path = tmp_path / "scenario.yaml"
    path.write_bytes(text if isinstance(text, bytes) else text.encode())
    code, out, err = _run(capsys, path)
    assert code == 2, err
    assert out == ""
    (message,) = err.strip().splitlines()
    prefix = f"{path}:{line}: " if line else f"{path}: "
    assert message.startswith(prefix), message
    assert expected in message
    assert "Traceback" not in message


def test_a_missing_file_and_a_directory(tmp_path, capsys):
    code, _, err = _run(capsys, tmp_path / "nope.yaml")
    assert code == 2 and err.strip() == f"{tmp_path / 'nope.yaml'}: no such file"
    code, _, err = _run(capsys, tmp_path)
    assert code == 2 and len(err.strip().splitlines()) == 1 and str(tmp_path) in err


def test_an_infeasible_run_exits_3_with_its_line(tmp_path, capsys):
    path = tmp_path / "big.yaml"
    path.write_text("runs:\n  - training: {model: llama-3-70b, hardware: h100, devices: 1}\n")
    code, out, err = _run(capsys, path)
    assert code == 3 and out == ""
    (message,) = err.strip().splitlines()
    assert message.startswith(f"{path}:2: runs[0].training") and "memory" in message


def test_a_violated_assertion_exits_3_and_says_which(tmp_path, capsys):
    path = tmp_path / "fast.yaml"
    path.write_text("wall: memory\ninputs: {weight_bytes: 16 GB, bandwidth: 3.35 TB/s}\n"
                    "assert:\n  - time <= 10 ms\n  - time <= 1 ms\n")
    code, out, err = _run(capsys, path)
    assert code == 3
    assert "FAILED" in out and "1 FAILED" in out.splitlines()[-1]
    (message,) = err.strip().splitlines()
    assert message.startswith(f"{path}:5: assert[1]: assertion failed") and "time <= 1 ms" in message
    assert "4.776 ms" in message


def test_json_is_a_list_of_runs_with_assertions(tmp_path, capsys):
    path = tmp_path / "two.yaml"
    path.write_text("runs:\n"
                    "  - name: weights\n    wall: memory\n    inputs: {weight_bytes: 16 GB, bandwidth: 3.35 TB/s}\n"
                    "    assert: ['time <= 10 ms', 'regime == memory-bound']\n"
                    "  - wall: 7\n    inputs: {arrival_rate: 8/s, service_rate: 1/s, servers: 10}\n")
    code, out, _ = _run(capsys, path, "--json")
    assert code == 0
    data = json.loads(out)
    assert [d["name"] for d in data] == ["weights", "tail-latency"]
    assert [d["target"] for d in data] == ["memory", "tail-latency"]
    assert data[0]["result"]["outputs"]["time"] == pytest.approx(16e9 / 3.35e12)
    assert data[0]["assertions"] == [
        {"expression": "time <= 10 ms", "value": pytest.approx(0.004776, rel=1e-3), "passed": True},
        {"expression": "regime == memory-bound", "value": "memory-bound", "passed": True}]
    assert data[1]["assertions"] == []


def test_inline_hardware_runs_and_leaves_the_registry_alone(tmp_path, capsys):
    path = tmp_path / "custom.yaml"
    override = HARDWARE.replace("my-gpu", "h100")
    path.write_text(override + HARDWARE.split("\n", 1)[1] + "runs:\n"
                    "  - wall: compute\n    inputs: {model: llama-3-8b, hardware: my-gpu}\n"
                    "    assert: ['peak_flops == 1 PFLOPS']\n"
                    "  - wall: compute\n    inputs: {model: llama-3-8b, hardware: H100}\n"
                    "    assert: ['peak_flops == 1 PFLOPS']\n")
    code, out, err = _run(capsys, path)
    assert code == 0, err
    assert ms.hardware("h100").peak_flops("bf16") == pytest.approx(989.4e12)
    assert "my-gpu" not in ms.hardware.names()


def test_single_run_shorthand_and_training_report(tmp_path, capsys):
    path = tmp_path / "one.yaml"
    path.write_text("description: a small job\n" + TRAIN + "  tokens: 100B\n  recompute: full\nassert: ['fits == yes', 'mfu > 1%']\n")
    code, out, err = _run(capsys, path)
    assert code == 0, err
    assert out.startswith("a small job") and "Iron Law" in out and "2 assertion(s): all hold" in out


def test_the_python_api(tmp_path):
    from mlsysim.scenarios import files

    path = tmp_path / "api.yaml"
    path.write_text("serving: {model: llama-3-8b, hardware: h100}\nassert: ['itl < 1 s']\n")
    (outcome,) = files.run(path)
    assert outcome.run.target_name == "serving" and outcome.checks[0].passed
    with pytest.raises(files.ScenarioFileError) as caught:
        files.load(tmp_path / "missing.yaml")
    assert caught.value.exit_code == 2 and str(caught.value).endswith("no such file")
