"""Render a workflow that pulls in 5 context references, through the service layer.

    python -m bench.render --org acme      # the demo organisation (huddle demo)

Target: p95 ≤ 2 ms. Two workflows: ``bench-five-refs`` prints its inputs and context blocks (a
simple template, rendered in the web process) and ``bench-five-refs-loop`` prints them from a
``{% for %}`` loop (a template that computes, rendered in a renderer process: the round trip
included).
For each: ``render`` (``render_version``: the context look-up, the analysis, the render),
``template`` (``templating.render`` alone with the same values) and ``first_render_ms`` (the
first render in the process: caches empty, and for the second the renderer process starting).
"""

from __future__ import annotations

import argparse
import json
import time
from typing import Any

from bench.common import setup_django, summary, timings, write_result

SLUGS = ["brand_voice", "persona_cmo", "persona_ops_manager", "glossary", "messaging"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--org", default="acme")
    parser.add_argument("--repeat", type=int, default=500)
    parser.add_argument("--name", default="render")
    args = parser.parse_args()
    setup_django()
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


if __name__ == "__main__":
    main()
