"""Render a workflow that pulls in 5 context references, through the service layer.

    python -m bench.render --org acme      # the demo organisation (huddle demo)

Target: p95 ≤ 2 ms. Two workflows: ``bench-five-refs`` prints its inputs and context blocks (a
simple template, rendered in the web process) and ``bench-five-refs-loop`` prints them from a
``{% for %}`` loop (a template that computes, rendered in a renderer process: the round trip
included).
For each: ``render`` (``render_version``: the context look-up, the analysis, the render),
``template`` (``templating.render`` alone with the same values) and ``first_render_ms`` (the
first render in the process: caches empty, and for the second the renderer process starting).

    python -m bench.render --hostile       # what hostile templates cost (no database used)

``--hostile`` renders templates that try to burn CPU or memory (three times each) and reports the
wall time, the CPU of renderer processes that were killed (``RUSAGE_CHILDREN``, their start-up
included) and the answer; then the costliest simple templates, rendered in this process (its
own CPU, the first render including the compiling).
"""

from __future__ import annotations

import argparse
import json
import resource
import time
from typing import Any

from bench.common import setup_django, summary, timings, write_result

SLUGS = ["brand_voice", "persona_cmo", "persona_ops_manager", "glossary", "messaging"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--org", default="acme")
    parser.add_argument("--repeat", type=int, default=500)
    parser.add_argument("--name", default="render")
    parser.add_argument("--hostile", action="store_true", help="what hostile templates cost")
    args = parser.parse_args()
    setup_django()
    if args.hostile:
        result = hostile()
        write_result(f"{args.name}-hostile", result)
        print(json.dumps(result, indent=2))
        return
    from huddle.accounts.models import Membership
    from huddle.accounts.policy import Actor
    from huddle.library import services
    from huddle.library.content import VersionContent
    from huddle.library.models import Workflow
    from huddle.library.rendering import render_version
    from huddle.library.templating import render

    membership = Membership.objects.select_related("user", "organization").get(
        organization__slug=args.org, user__email="erin@acme.test"
    )
    actor = Actor(membership)
    values = {"product": "Huddle", "audience": "CMOs"}
    plain = "Write a post about {{ product }} for {{ audience }}.\n" + "\n".join(
        f"{{{{ context.{slug} }}}}" for slug in SLUGS
    )
    result: dict[str, Any] = {"context_references": len(SLUGS)}
    loop = (
        "Write a post about {{ product }} for {{ audience }}.\n{% for block in ["
        + ", ".join(f"context.{slug}" for slug in SLUGS)
        + "] %}{{ block|trim }}\n{% endfor %}"
    )
    for slug, template in [("bench-five-refs", plain), ("bench-five-refs-loop", loop)]:
        workflow = Workflow.objects.filter(organization=actor.organization, slug=slug).first()
        if workflow is None:
            workflow = services.workflow_create(
                actor=actor,
                title=f"Bench: five context references ({slug})",
                kind="prompt",
                slug=slug,
                content=VersionContent.from_data(
                    {"steps": [template], "inputs": ["product", "audience"]}
                ),
            )
        version = services.latest_version(workflow)
        started = time.perf_counter()
        rendered = render_version(actor, version, values)
        first_ms = (time.perf_counter() - started) * 1000
        samples = timings(
            lambda: render_version(actor, version, values),  # noqa: B023 - called right here
            repeat=args.repeat,
            warmup=20,
        )
        variables = {**values, "context": {block.slug: block.text for block in rendered.context}}
        template_samples = timings(
            lambda: render(template, variables),  # noqa: B023 - called right here
            repeat=args.repeat * 4,
            warmup=20,
        )
        result[slug] = {
            "rendered_chars": len(rendered.as_text()),
            "render": summary(samples),
            "template": summary(template_samples),
            "first_render_ms": round(first_ms, 1),
        }
    result["targets"] = {"p95_ms": 2}
    write_result(args.name, result)
    print(json.dumps(result, indent=2))


def _tower(name: str) -> str:
    """``name10``: ten references to ``name9``, and so on down to ten strings (10**10 in all)."""
    source = f"{{% set {name}1 = ({', '.join(["'x'"] * 10)}) %}}"
    for level in range(2, 11):
        source += f"{{% set {name}{level} = ({', '.join([f'{name}{level - 1}'] * 10)}) %}}"
    return source


HOSTILE = {
    "hash of a shared tuple (one C call)": _tower("t") + "{{ {t10: 1}|length }}",
    "100 strings of 200,000 four-byte characters": (
        "{% set a = '\U0001f600' * 199990 %}{% set l = ["
        + ", ".join(f"a ~ {i}" for i in range(100))
        + "] %}{{ l|length }}"
    ),
    "a billion loop steps": "{% for i in range(1000) %}{% for j in range(1000) %}"
    "{% for k in range(1000) %}{% endfor %}{% endfor %}{% endfor %}",
    "'%01000000000d' % 1": '{{ ("%01000000000d" % 1)|length }}',
    "([[0]]*200000)|sum(start=[])": "{{ ([[0]]*200000)|sum(start=[])|length }}",
}
COSTLY_SIMPLE = {
    "16 case mappings of 200,000 four-byte characters": "{{ (u * 200000)"
    + "|upper|lower" * 7
    + "|length }}",
    "six chained replaces": "{{ (x * 100000)|replace('x', 'yy')|replace('y', 'z')"
    "|replace('z', 'w')|replace('w', 'v')|replace('v', 'u')|replace('u', 't')|length }}",
    "10,000 characters of {{ value }}": "{{ big }}" * 1100,
}


def hostile() -> dict[str, Any]:
    from huddle.library.templating import TemplateProblem, analyse, render

    values = {"x": "x", "u": "\U0001f600", "big": "ab " * 16000, "n": 3}

    def children_cpu() -> float:
        usage = resource.getrusage(resource.RUSAGE_CHILDREN)
        return usage.ru_utime + usage.ru_stime

    def answer(source: str) -> str:
        try:
            return f"{len(render(source, values)):,} characters"
        except TemplateProblem as problem:
            return problem.message

    result: dict[str, Any] = {"hostile": {}, "costly_simple": {}}
    render("{{ x|title }}", values)  # a renderer is up
    for name, source in HOSTILE.items():
        runs = []
        for _ in range(3):
            cpu, started = children_cpu(), time.perf_counter()
            said = answer(source)
            runs.append(
                {
                    "wall_s": round(time.perf_counter() - started, 3),
                    "killed_renderer_cpu_s": round(children_cpu() - cpu, 3),
                }
            )
        result["hostile"][name] = {"runs": runs, "answer": said}
    for name, source in COSTLY_SIMPLE.items():
        if not analyse(source).simple:
            raise SystemExit(f"{name}: not a simple template any more")
        runs = []
        for _ in range(3):
            started = time.process_time()
            said = answer(source)
            runs.append(round((time.process_time() - started) * 1000, 1))
        result["costly_simple"][name] = {"cpu_ms": runs, "answer": said}
    return result


if __name__ == "__main__":
    main()
