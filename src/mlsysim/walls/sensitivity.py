"""Wall 21, sensitivity: which input binds an output of any wall or scenario (elasticities, ranked)."""

from __future__ import annotations

from mlsysim.analysis.sensitivity import sensitivity
from mlsysim.errors import InvalidInputError
from mlsysim.walls.core import Example, Input, Output, Wall


def parse_point(text: str) -> dict:
    """'model=llama-3-8b; hardware=h100; batch=1' -> {'model': 'llama-3-8b', …}."""
    point = {}
    for part in (p.strip() for p in text.replace(",", ";").split(";")):
        if not part:
            continue
        if "=" not in part:
            raise InvalidInputError(f"at: {part!r} is not name=value (e.g. 'model=llama-3-8b; batch=1')",
                                    parameter="at")
        name, value = (x.strip() for x in part.split("=", 1))
        point[name.replace("-", "_")] = value
    return point


def _target(name: str):
    from mlsysim.scenarios import resolve

    return resolve(name)


def evaluate(target, output, params, at, step):
    subject = _target(target)
    chosen = [p.strip().replace("-", "_") for p in params.split(",") if p.strip()] if params else None
    result = sensitivity(subject, output=output or None, params=chosen, step=step, at=parse_point(at))
    binding = result.binding
    return {"binding": binding or "none", "elasticity": result.elasticities.get(binding) if binding else 0.0,
            "value": result.value, "elasticities": result.elasticities, "output": result.output}


def explain(r) -> str:
    ranked = ", ".join(f"{k} {v:+.2f}" for k, v in r.outputs["elasticities"].items() if v is not None)
    return (f"{r.outputs['output']} of {r.inputs['target']} is bound by {r.outputs['binding']} (elasticity "
            f"{r.outputs['elasticity']:+.2f}: 1% more of it changes the output by {r.outputs['elasticity']:+.2f}%). "
            f"All elasticities: {ranked}.")


WALL = Wall(
    number=21,
    slug="sensitivity",
    title="Sensitivity analysis",
    domain="meta",
    question="Which parameter actually binds the result?",
    equation="ε_p = ∂ ln(output) / ∂ ln(p), by central differences; binding = argmax |ε_p|",
    latex=r"\varepsilon_p=\frac{\partial\ln y}{\partial\ln p}\approx\frac{\ln y(p(1+h))-\ln y(p(1-h))}{\ln\frac{1+h}{1-h}}",
    explanation=(
        "Nudge each input up and down by a percent and watch the output. The ratio of the relative "
        "changes is the elasticity: −1 means 'double it and the time halves', near 0 means 'this does "
        "not matter here'. The input with the largest elasticity is the binding constraint — the "
        "place where money or engineering buys the most. All the nudged points are evaluated in one "
        "vectorized call of the target wall or scenario."
    ),
    inputs=[
        Input("target", "text", "wall or scenario to analyse (slug, number, 'training' or 'serving-deployment')"),
        Input("output", "text", "output to explain (default: the target's headline)", default=""),
        Input("params", "text", "comma-separated inputs to vary (default: every numeric input)", default=""),
        Input("at", "text", "the point: 'name=value; name=value' (units welcome)", default=""),
        Input("step", "fraction", "relative nudge", default=0.01, low=0, high=0.5, low_open=True,
              typical=(0.001, 0.1)),
    ],
    outputs=[
        Output("binding", "text", "the input with the largest |elasticity|"),
        Output("elasticity", "number", "its elasticity"),
        Output("value", "number", "the output at the point (SI)"),
        Output("elasticities", "data", "every elasticity, largest first"),
        Output("output", "text", "the output analysed"),
    ],
    evaluate=evaluate,
    explain=explain,
    headline="binding",
    examples=[
        Example({"target": "serving", "output": "itl", "params": "bandwidth,peak_flops",
                 "at": "model=llama-3-8b; hardware=h100; batch=1; prompt_tokens=512; output_tokens=128"},
                {"elasticity": -1.0}, rtol=0.02,
                source="spec, Wall 21: batch-1 decode is memory-bound, so time ∝ 1/bandwidth"),
        Example({"target": "serving", "output": "ttft", "params": "bandwidth,peak_flops",
                 "at": "model=llama-3-8b; hardware=h100; batch=1; prompt_tokens=8192"},
                {"elasticity": -1.0}, rtol=0.02,
                source="spec, Wall 21: an 8,192-token prefill is compute-bound, so time ∝ 1/peak"),
    ],
    caveats="Local: elasticities hold near the point; across a kink (a max()) they jump.",
)
