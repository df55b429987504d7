"""Render a workflow that pulls in 5 context references, through the service layer.

    python -m bench.render --org acme      # the demo organisation (huddle demo)

Target: p95 ≤ 2 ms.
"""

from __future__ import annotations

import argparse
import json

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

    membership = Membership.objects.select_related("user", "organization").get(
        organization__slug=args.org, user__email="erin@acme.test"
    )
    actor = Actor(membership)
    workflow = Workflow.objects.filter(
        organization=actor.organization, slug="bench-five-refs"
    ).first()
    if workflow is None:
        template = "Write a post about {{ product }} for {{ audience }}.\n" + "\n".join(
            f"{{{{ context.{slug} }}}}" for slug in SLUGS
        )
        workflow = services.workflow_create(
            actor=actor,
            title="Bench: five context references",
            kind="prompt",
            slug="bench-five-refs",
            content=VersionContent.from_data(
                {"steps": [template], "inputs": ["product", "audience"]}
            ),
        )
    version = services.latest_version(workflow)
    values = {"product": "Huddle", "audience": "CMOs"}
    rendered = render_version(actor, version, values)
    samples = timings(lambda: render_version(actor, version, values), repeat=args.repeat, warmup=20)
    result = {
        "context_references": len(SLUGS),
        "rendered_chars": len(rendered.as_text()),
        "render": summary(samples),
        "targets": {"p95_ms": 2},
    }
    write_result(args.name, result)
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
