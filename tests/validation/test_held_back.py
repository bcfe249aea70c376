"""The held-back records: further rows of the same published tables, never used to choose a
constant, predicted the same way as published.json (issue: "a held-back set of similar records
is used to check it")."""

import json

import pytest

from mlsysim.cli.main import main
from mlsysim.validation import harness, records, summarize
from mlsysim.validation.harness import PREDICTED

HELD = records.load_held_back()
ROWS = harness.run(records=HELD)
SUMMARY = summarize(ROWS)
# Medians the held-back groups must not exceed: today's figures, so generalization can only
# improve. They sit next to the published set's (tests/validation/test_validation.py).
HELD_BACK_CEILINGS = {"inference": 0.115, "training_throughput": 0.24}
# Share of held-back records expressed today. The two left are llm-foundry runs that did run but
# that mlsysim's memory model puts just over 80 GB: a known gap, reported rather than hidden.
HELD_BACK_COVERAGE = 0.98


def test_held_back_records_are_new_sourced_and_unique():
    published = {r.id for r in records.load()}
    ids = [r.id for r in HELD]
    assert len(ids) == len(set(ids)) and not published & set(ids)
    for r in HELD:
        assert r.id.startswith("heldback-") and r.verified, r.id
        assert r.source and r.source_url.startswith("https://") and "git " in r.location, r.id


def test_held_back_coverage_and_every_miss_has_its_reason():
    assert SUMMARY.coverage >= HELD_BACK_COVERAGE
    for row in ROWS:
        if row.status != PREDICTED:
            assert row.category == "training_throughput" and "memory" in row.reason, row.id


@pytest.mark.parametrize("group", [g for g in SUMMARY.groups if g.errors and g.name in HELD_BACK_CEILINGS],
                         ids=lambda g: g.name)
def test_held_back_medians_stay_within_their_ceilings(group):
    assert group.median <= HELD_BACK_CEILINGS[group.name], f"{group.name}: median {group.median:.1%}"


def test_cli_checks_the_held_back_set(capsys):
    assert main(["validate", "--held-back", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert {r["id"] for r in out["records"]} == {r.id for r in HELD}


def test_cli_refuses_a_category_the_held_back_set_lacks(capsys):
    assert main(["validate", "--held-back", "--category", "queueing"]) != 0
    assert "held-back set has no 'queueing' records" in capsys.readouterr().err


def test_the_report_has_a_held_back_section(tmp_path):
    path = tmp_path / "validation.md"
    assert main(["validate", "--write-docs", str(path)]) == 0
    text = path.read_text()
    assert "## Held-back check" in text and HELD[0].id in text
