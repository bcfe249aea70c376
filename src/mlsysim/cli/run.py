"""`mlsysim run FILE.yaml`: run a scenario file's runs, print their reports and check their assertions.

The file format (one run or a list of them, inline specs, `assert:` constraints) is described
in `mlsysim.scenarios.files` and by `mlsysim schema`. A mistake in the file is one line on
stderr, `FILE:LINE: field: message`, and exit code 2 (3 when the inputs are well formed but
infeasible); a violated assertion is one line per assertion and exit code 3.
"""

from __future__ import annotations

import click

from mlsysim.cli.render import emit_json, heading, table

HELP = """Run a scenario file: training/serving scenarios or walls, with assertions on their outputs.

\b
A file holds one run or a list under runs:, e.g.
  runs:
    - name: pretrain
      training: {model: llama-3.1-405b, hardware: h100, devices: 16384, tp: 8, pp: 16}
      assert: ["mfu >= 35%", "time <= 100 days"]
    - wall: compute
      inputs: {model: ds-cnn-kws, hardware: stm32h743, precision: int8}
      assert: ["time <= 100 ms"]
It may add or override hardware:, models: (and storage:, cpus:, networks:, grids:) inline, in the
registry's record format with sources. `mlsysim schema` prints the full JSON Schema.

\b
Exit codes: 0 every assertion holds; 2 a mistake in the file (FILE:LINE: field: message);
3 an assertion failed, or the scenario is infeasible.

\b
Example:
  mlsysim run examples/llama3-405b-pretraining.yaml
  mlsysim run examples/keyword-spotting-mcu.yaml --json
"""


@click.command("run", help=HELP, context_settings={"help_option_names": ["-h", "--help"]})
@click.argument("file", metavar="FILE.yaml")
@click.option("--json", "as_json", is_flag=True,
              help="Print a JSON list: {name, target, result, assertions: [{expression, value, passed}]} per run.")
def run_command(file: str, as_json: bool):
    from mlsysim.scenarios import files

    try:
        scenario = files.load(file)
        outcomes = files.evaluate(scenario)
    except files.ScenarioFileError as error:
        click.echo(str(error), err=True)
        raise click.exceptions.Exit(error.exit_code) from None
    if as_json:
        emit_json([o.to_dict() for o in outcomes])
    else:
        click.echo(report(scenario, outcomes))
    failed = [(o, c) for o in outcomes for c in o.failed]
    for outcome, check in failed:
        line, field = scenario.lines.locate(check.assertion.path)
        click.echo(f"{scenario.path}:{line}: {field}: assertion failed in run {outcome.run.name!r}: "
                   f"{check.assertion.expression} (got {_value(outcome, check)})", err=True)
    if failed:
        raise click.exceptions.Exit(3)


def report(scenario, outcomes) -> str:
    """Each run's report (the scenario's own, or the wall's table), its assertions, and a summary."""
    parts = [scenario.description.strip()] if scenario.description.strip() else []
    for outcome in outcomes:
        run = outcome.run
        title = f"{run.name} · {run.target_name}" if run.name != run.target_name else run.name
        parts += ["", heading(title)]
        if run.description:
            parts.append(run.description.strip())
        parts.append(_report(outcome.result))
        if outcome.checks:
            rows = [[c.assertion.expression, _value(outcome, c), "pass" if c.passed else "FAILED"]
                    for c in outcome.checks]
            parts += ["", table(["assertion", "value", "result"], rows)]
    checks = [c for o in outcomes for c in o.checks]
    failed = sum(not c.passed for c in checks)
    verdict = f"{failed} FAILED" if failed else "all hold"
    parts += ["", f"{len(outcomes)} run(s), {len(checks)} assertion(s): {verdict}" if checks
              else f"{len(outcomes)} run(s), no assertions"]
    return "\n".join(parts).lstrip("\n")


def _report(result) -> str:
    from mlsysim.cli.scenarios import serving_report, training_report
    from mlsysim.cli.walls import render_result

    reports = {"training": training_report, "serving-deployment": serving_report}
    return reports.get(result.wall.slug, render_result)(result)


def _value(outcome, check) -> str:
    from mlsysim.walls.result import _render

    dimension = outcome.result.wall.outputs[check.assertion.output].dimension
    if isinstance(check.value, bool) or dimension == "flag":
        return "yes" if check.value else "no"
    return str(check.value) if dimension == "text" else _render(check.value, dimension)
