"""Library search through the service layer vs. the bare full-text query, on generated data.

    python -m bench.generate --workflows 100000 ...   # first
    python -m bench.search --org bench

Prints p50/p95 per query (the first page of 25 results a person sees) and the ratio to the bare
FTS query (``library.search.match``) on the same data. Targets: p95 ≤ 30 ms, ≤ 2x the bare query.
``page`` is what the library page does per query on top: the capped count ("1000+") and the
page's cards with their tags (``library.listing.page_of_cards``).
"""

from __future__ import annotations

import argparse
import json

from bench.common import percentile, setup_django, summary, timings, write_result

QUERIES = [
    "launch", "webinar", "newsletter", "seo outline", "search ads", "persona", "monthly report",
    "case study", "press release", "social post", "nurture email", "landing page", "event recap",
    "customer story", "brand voice", "blog", "sales deck", "video script", "churn", "founders",
]  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--org", default="bench")
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--name", default="search")
    args = parser.parse_args()
    setup_django()
    from huddle.accounts.models import Membership
    from huddle.accounts.policy import Actor
    from huddle.library import listing, search
    from huddle.library.models import Workflow
    from huddle.library.queries import LibraryFilter, search_workflows

    membership = (
        Membership.objects.select_related("user", "organization")
        .filter(organization__slug=args.org, role="member")
        .first()
    )
    actor = Actor(membership)
    org_id = membership.organization_id
    organization = membership.organization
    service, page, bare = [], [], []
    for query in QUERIES:
        service += timings(
            lambda q=query: list(search_workflows(actor, LibraryFilter(q=q))[:25]),
            repeat=args.repeat,
        )
        page += timings(
            lambda q=query: listing.page_of_cards(
                organization, search_workflows(actor, LibraryFilter(q=q)), 1
            ),
            repeat=args.repeat,
        )
        bare += timings(lambda q=query: search.match(org_id, q), repeat=args.repeat)
    result = {
        "workflows": Workflow.objects.filter(organization_id=org_id).count(),
        "queries": len(QUERIES),
        "service": summary(service),
        "page": summary(page),
        "bare_fts": summary(bare),
        "ratio_p95": round(percentile(service, 95) / percentile(bare, 95), 2),
        "targets": {"p95_ms": 30, "ratio": 2},
    }
    write_result(args.name, result)
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
