"""One contract, checked for every wall in the registry (as scipy.stats checks every distribution).

A new wall gets all of these checks by existing: its declaration is complete, its worked
examples hold, it broadcasts like its scalar loop, it explains itself, it serializes to JSON,
and every class of bad input fails with a one-line error naming the input.
"""

import json
import math

import numpy as np
import pytest

import mlsysim as ms
from mlsysim.cli.main import main
from mlsysim.walls.declaration import SPEC_KINDS

WALLS = list(ms.walls)
IDS = [w.slug for w in WALLS]


def numeric_example_inputs(wall):
    """Example inputs that are plain numbers or unit strings of a numeric dimension."""
    example = wall.examples[0].inputs
    return [n for n, v in example.items() if wall.inputs[n].is_numeric and not isinstance(v, (list, tuple))]


@pytest.mark.parametrize("wall", WALLS, ids=IDS)
def test_declaration_is_complete(wall):
    assert wall.question.endswith("?")
    assert wall.equation and wall.latex
    assert len(wall.explanation) >= 100, "explain the law in a few plain sentences"
    assert wall.examples, "every wall has a worked example"
    assert wall.headline in wall.outputs
    for spec in wall.inputs.values():
        assert spec.meaning and spec.name.isidentifier()
        if spec.dimension == "choice" and not spec.required and spec.default is not None:
            assert spec.default in spec.choices
    for example in wall.examples:
        assert set(example.inputs) <= set(wall.inputs)
        assert set(example.expect) <= set(wall.outputs)


def test_numbers_and_slugs_are_unique_and_ordered():
    numbers = [w.number for w in WALLS if w.number is not None]
    assert numbers == sorted(numbers) and len(set(numbers)) == len(numbers)
    assert len(set(IDS)) == len(IDS)
    for w in WALLS:
        assert ms.wall(w.slug) is w
        if w.number is not None:
            assert ms.wall(w.number) is w and ms.wall(str(w.number)) is w


@pytest.mark.parametrize("wall", WALLS, ids=IDS)
def test_worked_examples_hold(wall):
    for example in wall.examples:
        result = wall(**example.inputs)
        for name, expected in example.expect.items():
            got = result.outputs[name]
            assert got == pytest.approx(expected, rel=example.rtol), (
                f"{wall.slug}.{name}: {got} vs {expected} ({example.source})")


@pytest.mark.parametrize("wall", WALLS, ids=IDS)
def test_explains_itself_with_numbers(wall):
    result = wall.example()
    text = result.explain()
    assert text and "{" not in text and "}" not in text
    assert any(ch.isdigit() for ch in text)
    assert result.fmt(wall.headline) != "—"
    if wall.regimes:
        regime = result.regime
        assert regime in wall.regimes


@pytest.mark.parametrize("wall", WALLS, ids=IDS)
def test_to_dict_is_strict_json(wall):
    data = wall.example().to_dict()
    assert set(data) >= {"wall", "slug", "inputs", "outputs", "units", "explanation"}
    assert set(data["units"]) == set(wall.outputs)
    json.dumps(data, allow_nan=False)


@pytest.mark.parametrize("wall", WALLS, ids=IDS)
def test_broadcast_equals_elementwise_loop(wall):
    names = numeric_example_inputs(wall)
    if not names:
        pytest.skip("no numeric example input to vary")
    base = dict(wall.examples[0].inputs)
    name = names[0]
    spec = wall.inputs[name]
    x0 = ms.units.parse(base[name], spec.dimension)
    factors = [1.0] if spec.integer else [0.9, 1.0, 1.05]
    xs = np.array([x0 * f for f in factors]) if not spec.integer else np.array([x0, x0 + 1, x0 + 2])
    vector = wall(invalid="nan", **{**base, name: xs})
    for i, x in enumerate(xs):
        if vector.valid is not None and not vector.valid[i]:
            continue
        scalar = wall(**{**base, name: float(x)})
        for out, spec_out in wall.outputs.items():
            value = scalar.outputs[out]
            if value is None or spec_out.dimension in ("text", "data", "flag"):
                continue
            got = np.broadcast_to(vector.outputs[out], xs.shape)[i]
            assert got == pytest.approx(float(value), rel=1e-9, abs=1e-300), f"{wall.slug}.{out} at {name}={x}"


@pytest.mark.parametrize("wall", WALLS, ids=IDS)
def test_bad_numbers_are_named_errors(wall):
    base = dict(wall.examples[0].inputs)
    for name in numeric_example_inputs(wall):
        spec = wall.inputs[name]
        bad_values = [float("nan"), float("inf")]
        if spec.low is not None:
            bad_values.append(spec.low - 1.0 if not spec.low_open else spec.low)
        if spec.high is not None:
            bad_values.append(spec.high + 1.0 if not spec.high_open else spec.high)
        for bad in bad_values:
            with pytest.raises(ms.InvalidInputError) as info:
                wall(**{**base, name: bad})
            assert name in str(info.value) and "\n" not in str(info.value)


@pytest.mark.parametrize("wall", WALLS, ids=IDS)
def test_wrong_dimension_and_garbage_strings(wall):
    base = dict(wall.examples[0].inputs)
    for name in numeric_example_inputs(wall):
        spec = wall.inputs[name]
        wrong = "3 kWh" if spec.dimension != "energy" else "3 GB"
        with pytest.raises(ms.InvalidInputError, match=name):
            wall(**{**base, name: wrong})
        with pytest.raises(ms.InvalidInputError, match=name):
            wall(**{**base, name: "lots"})


@pytest.mark.parametrize("wall", WALLS, ids=IDS)
def test_unknown_names_suggest(wall):
    base = dict(wall.examples[0].inputs)
    with pytest.raises(ms.UnknownNameError):
        wall(**base, not_an_input=1.0)
    for name, spec in wall.inputs.items():
        if spec.dimension in SPEC_KINDS or spec.dimension in ("choice", "precision"):
            with pytest.raises(ms.UnknownNameError, match=name):
                wall(**{**base, name: "no-such-thing-xyz"})


@pytest.mark.parametrize("wall", WALLS, ids=IDS)
def test_missing_required_input(wall):
    required = [n for n, s in wall.inputs.items() if s.required]
    if not required:
        pytest.skip("no required inputs")
    base = {k: v for k, v in wall.examples[0].inputs.items() if k != required[0]}
    with pytest.raises(ms.InvalidInputError, match=required[0]):
        wall(**base)


@pytest.mark.parametrize("wall", WALLS, ids=IDS)
def test_nan_mode_masks_only_bad_points(wall):
    names = numeric_example_inputs(wall)
    if not names:
        pytest.skip("no numeric example input")
    base = dict(wall.examples[0].inputs)
    name = names[0]
    x0 = ms.units.parse(base[name], wall.inputs[name].dimension)
    result = wall(invalid="nan", **{**base, name: np.array([x0, float("nan")])})
    assert result.valid.tolist() == [True, False]
    assert name in result.reasons[1]
    assert math.isnan(np.broadcast_to(result.outputs[wall.headline], (2,))[1])
    with pytest.raises(ms.InvalidInputError):
        wall(**{**base, name: np.array([x0, float("nan")])})


@pytest.mark.parametrize("wall", WALLS, ids=IDS)
def test_freeze_matches_direct_call(wall):
    base = dict(wall.examples[0].inputs)
    first, *rest = base
    frozen = wall.freeze(**{first: base[first]})
    direct = wall(**base).outputs[wall.headline]
    assert frozen(**{k: base[k] for k in rest}).outputs[wall.headline] == pytest.approx(direct)
    with pytest.raises(ms.InvalidInputError):
        frozen(**base)


@pytest.mark.parametrize("wall", WALLS, ids=IDS)
def test_sensitivity_runs_on_the_example(wall):
    if not numeric_example_inputs(wall):
        pytest.skip("no numeric example input")
    result = wall.sensitivity(**wall.examples[0].inputs)
    assert result.elasticities
    for value in result.elasticities.values():
        assert value is None or math.isfinite(value)
    json.dumps(result.to_dict(), allow_nan=False)


@pytest.mark.parametrize("wall", WALLS, ids=IDS)
def test_cli_json_matches_python(wall, capsys):
    example = wall.examples[0].inputs
    argv = ["wall", wall.slug]
    for name, value in example.items():
        argv += [wall.inputs[name].flag, str(value)]
    assert main([*argv, "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["slug"] == wall.slug and data["wall"] == wall.number
    expected = wall(**example).outputs[wall.headline]
    assert data["outputs"][wall.headline] == pytest.approx(expected)


@pytest.mark.parametrize("wall", WALLS, ids=IDS)
def test_cli_bad_value_is_one_line_exit_2(wall, capsys):
    names = numeric_example_inputs(wall)
    if not names:
        pytest.skip("no numeric example input")
    example = wall.examples[0].inputs
    argv = ["wall", wall.slug]
    for name, value in example.items():
        argv += [wall.inputs[name].flag, "-5 parsecs" if name == names[0] else str(value)]
    assert main(argv) == 2
    err = capsys.readouterr().err.strip()
    assert err.count("\n") == 0 and names[0] in err and "Traceback" not in err
