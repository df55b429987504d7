"""The shape of each kind of asset: how its data is validated and how it renders.

``clean(kind, data)`` returns the data in canonical form or raises ``ValidationFailed`` naming
the fields; ``render_parts(kind, title, data)`` returns the texts a template can ask for:
``{{ context.<slug> }}`` is ``parts["text"]``, ``{{ context.<slug>.goals }}`` is ``parts["goals"]``.
Campaign tables are parsed in ``parsing.tables``; here their data is only rendered.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from huddle.context.models import Kind
from huddle.core.errors import ValidationFailed

MAX_TEXT = 50_000
MAX_LINE = 1_000
MAX_ITEMS = 200
TABLE_PART_ROWS = 100

PERSONA_LISTS = ("goals", "pains", "objections", "channels", "quotes")
GLOSSARY_KINDS = ("preferred", "banned", "product")

# The attributes each kind offers to templates, besides "text".
PARTS: dict[str, tuple[str, ...]] = {
    Kind.BRAND: ("voice", "do", "dont", "samples"),
    Kind.PERSONA: ("role", *PERSONA_LISTS, "notes"),
    Kind.CAMPAIGN_DATA: ("summary", "table"),
    Kind.MESSAGING: ("positioning", "pillars"),
    Kind.GLOSSARY: ("preferred", "banned", "products"),
    Kind.OTHER: (),
}


class _Errors:
    def __init__(self) -> None:
        self.fields: dict[str, list[str]] = {}

    def add(self, field: str, message: str) -> None:
        self.fields.setdefault(field, []).append(message)

    def raise_if_any(self) -> None:
        if self.fields:
            first_field, problems = next(iter(self.fields.items()))
            raise ValidationFailed(f"{first_field}: {problems[0]}", fields=self.fields)


def _text(data: dict[str, Any], key: str, errors: _Errors, *, limit: int = MAX_TEXT) -> str:
    value = data.get(key) or ""
    if not isinstance(value, str):
        errors.add(key, "Must be text.")
        return ""
    value = value.replace("\r\n", "\n").strip()
    if len(value) > limit:
        errors.add(key, f"Too long: {len(value):,} characters, the limit is {limit:,}.")
    return value


def _lines(data: dict[str, Any], key: str, errors: _Errors) -> list[str]:
    """A list given as a list of strings or as text with one item per line."""
    value = data.get(key) or []
    if isinstance(value, str):
        value = value.splitlines()
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        errors.add(key, "Must be a list of texts (or one item per line).")
        return []
    items = [v.strip().lstrip("-*•").strip() for v in value]
    items = [v for v in items if v]
    if len(items) > MAX_ITEMS:
        errors.add(key, f"{len(items)} items; the limit is {MAX_ITEMS}.")
    for number, item in enumerate(items, start=1):
        if len(item) > MAX_LINE:
            errors.add(key, f"Item {number} is longer than {MAX_LINE} characters.")
    return items


def _clean_brand(data: dict[str, Any], errors: _Errors) -> dict[str, Any]:
    cleaned = {
        "voice": _text(data, "voice", errors),
        "do": _lines(data, "do", errors),
        "dont": _lines(data, "dont", errors),
        "samples": _text(data, "samples", errors),
    }
    if not any(cleaned.values()):
        errors.add("voice", "Describe the voice and tone, or add do / don't lists or samples.")
    return cleaned


def _clean_persona(data: dict[str, Any], errors: _Errors) -> dict[str, Any]:
    cleaned: dict[str, Any] = {"role": _text(data, "role", errors, limit=200)}
    for key in PERSONA_LISTS:
        cleaned[key] = _lines(data, key, errors)
    cleaned["notes"] = _text(data, "notes", errors)
    if not cleaned["role"]:
        errors.add("role", "Say who this persona is (their role), e.g. 'CMO at a 200-person SaaS'.")
    return cleaned


def _clean_messaging(data: dict[str, Any], errors: _Errors) -> dict[str, Any]:
    positioning = _text(data, "positioning", errors, limit=2_000)
    if not positioning:
        errors.add("positioning", "The positioning statement is required.")
    raw_pillars = data.get("pillars") or []
    if not isinstance(raw_pillars, list):
        errors.add("pillars", "Must be a list of pillars with their proof points.")
        raw_pillars = []
    pillars = []
    for number, pillar in enumerate(raw_pillars, start=1):
        if not isinstance(pillar, dict):
            errors.add("pillars", f"Pillar {number} must have a name and proof points.")
            continue
        name = _text(pillar, "name", errors, limit=MAX_LINE)
        proof = _lines(pillar, "proof_points", errors)
        if not name and proof:
            errors.add("pillars", f"Pillar {number} has proof points but no name.")
        if name:
            pillars.append({"name": name, "proof_points": proof})
    if len(pillars) > 20:
        errors.add("pillars", f"{len(pillars)} pillars; the limit is 20.")
    return {"positioning": positioning, "pillars": pillars}


def _clean_glossary(data: dict[str, Any], errors: _Errors) -> dict[str, Any]:
    raw_terms = data.get("terms") or []
    if not isinstance(raw_terms, list):
        errors.add("terms", "Must be a list of {term, kind, replacement}.")
        raw_terms = []
    terms: list[dict[str, str]] = []
    seen: set[str] = set()
    for number, row in enumerate(raw_terms, start=1):
        if not isinstance(row, dict):
            errors.add("terms", f"Term {number} must have a term, a kind and a replacement.")
            continue
        term = str(row.get("term") or "").strip()
        kind = str(row.get("kind") or "").strip().lower()
        replacement = str(row.get("replacement") or "").strip()
        if not term:
            errors.add("terms", f"Term {number} is blank.")
            continue
        if kind not in GLOSSARY_KINDS:
            errors.add("terms", f"{term!r}: kind must be preferred, banned or product.")
            continue
        if kind == "banned" and not replacement:
            errors.add("terms", f"The banned term {term!r} needs a preferred replacement.")
        if term.lower() in seen:
            errors.add("terms", f"{term!r} is listed twice.")
        seen.add(term.lower())
        if len(term) > 200 or len(replacement) > 200:
            errors.add("terms", f"{term[:40]!r}: terms are limited to 200 characters.")
        terms.append({"term": term, "kind": kind, "replacement": replacement})
    if not terms and not errors.fields:
        errors.add("terms", "Add at least one term.")
    if len(terms) > 2_000:
        errors.add("terms", f"{len(terms)} terms; the limit is 2,000.")
    return {"terms": terms}


def _clean_other(data: dict[str, Any], errors: _Errors) -> dict[str, Any]:
    text = _text(data, "text", errors, limit=500_000)
    if not text:
        errors.add("text", "Write or upload the text.")
    return {"text": text}


_CLEANERS: dict[str, Callable[[dict[str, Any], _Errors], dict[str, Any]]] = {
    Kind.BRAND: _clean_brand,
    Kind.PERSONA: _clean_persona,
    Kind.MESSAGING: _clean_messaging,
    Kind.GLOSSARY: _clean_glossary,
    Kind.OTHER: _clean_other,
}


def clean(kind: str, data: Any) -> dict[str, Any]:
    """Validate ``data`` for ``kind`` and return it in canonical form (``ValidationFailed``)."""
    if kind == Kind.CAMPAIGN_DATA:
        raise ValidationFailed(
            "Campaign data comes from a CSV or XLSX upload.", fields={"file": ["Upload a table."]}
        )
    if not isinstance(data, dict):
        raise ValidationFailed("The content must be an object of fields.")
    errors = _Errors()
    cleaned = _CLEANERS[kind](data, errors)
    errors.raise_if_any()
    return cleaned


# --- rendering -------------------------------------------------------------------------------


def _bullets(items: list[str]) -> str:
    return "\n".join(f"- {item}" for item in items)


def _sections(title: str, sections: list[tuple[str, str]]) -> str:
    body = "\n\n".join(f"## {heading}\n\n{text}" for heading, text in sections if text)
    return f"# {title}\n\n{body}".strip()


def _render_brand(title: str, data: dict[str, Any]) -> dict[str, str]:
    parts = {
        "voice": data["voice"],
        "do": _bullets(data["do"]),
        "dont": _bullets(data["dont"]),
        "samples": data["samples"],
    }
    parts["text"] = _sections(
        title,
        [
            ("Voice and tone", parts["voice"]),
            ("Do", parts["do"]),
            ("Don't", parts["dont"]),
            ("Sample copy", parts["samples"]),
        ],
    )
    return parts


def _render_persona(title: str, data: dict[str, Any]) -> dict[str, str]:
    parts = {"role": data["role"], "notes": data["notes"]}
    for key in PERSONA_LISTS:
        parts[key] = _bullets(data[key])
    labels = {
        "goals": "Goals",
        "pains": "Pains",
        "objections": "Objections",
        "channels": "Channels",
        "quotes": "In their words",
    }
    parts["text"] = _sections(
        f"Persona: {title}",
        [
            ("Role", parts["role"]),
            *((labels[key], parts[key]) for key in PERSONA_LISTS),
            ("Notes", parts["notes"]),
        ],
    )
    return parts


def _render_messaging(title: str, data: dict[str, Any]) -> dict[str, str]:
    lines = []
    for pillar in data["pillars"]:
        lines.append(f"- {pillar['name']}")
        lines.extend(f"  - {point}" for point in pillar["proof_points"])
    parts = {"positioning": data["positioning"], "pillars": "\n".join(lines)}
    parts["text"] = _sections(
        title,
        [("Positioning", parts["positioning"]), ("Pillars and proof points", parts["pillars"])],
    )
    return parts


def _render_glossary(title: str, data: dict[str, Any]) -> dict[str, str]:
    by_kind: dict[str, list[dict[str, str]]] = {k: [] for k in GLOSSARY_KINDS}
    for term in data["terms"]:
        by_kind[term["kind"]].append(term)
    parts = {
        "preferred": _bullets(
            [
                t["term"] + (f" (not {t['replacement']})" if t["replacement"] else "")
                for t in by_kind["preferred"]
            ]
        ),
        "banned": _bullets([f"{t['term']} → {t['replacement']}" for t in by_kind["banned"]]),
        "products": _bullets([t["term"] for t in by_kind["product"]]),
    }
    parts["text"] = _sections(
        title,
        [
            ("Preferred terms", parts["preferred"]),
            ("Never use (and what to say instead)", parts["banned"]),
            ("Product names (spell exactly)", parts["products"]),
        ],
    )
    return parts


def _render_other(title: str, data: dict[str, Any]) -> dict[str, str]:
    return {"text": f"# {title}\n\n{data['text']}"}


def _render_campaign(title: str, data: dict[str, Any]) -> dict[str, str]:
    summary = summary_markdown(title, data["summary"])
    return {"summary": summary, "table": table_markdown(data), "text": summary}


_RENDERERS: dict[str, Callable[[str, dict[str, Any]], dict[str, str]]] = {
    Kind.BRAND: _render_brand,
    Kind.PERSONA: _render_persona,
    Kind.CAMPAIGN_DATA: _render_campaign,
    Kind.MESSAGING: _render_messaging,
    Kind.GLOSSARY: _render_glossary,
    Kind.OTHER: _render_other,
}


def render_parts(kind: str, title: str, data: dict[str, Any]) -> dict[str, str]:
    """Every text a template can ask of this asset; ``"text"`` is the default rendering."""
    return _RENDERERS[kind](title, data)


def _cell(value: object) -> str:
    return str(value).replace("|", "\\|").replace("\n", " ")


def table_markdown(data: dict[str, Any], limit: int = TABLE_PART_ROWS) -> str:
    """The table as Markdown, at most ``limit`` rows, saying how many were left out."""
    columns = data["columns"]
    rows = data["preview"][:limit]
    lines = [
        "| " + " | ".join(_cell(c) for c in columns) + " |",
        "|" + "---|" * len(columns),
        *("| " + " | ".join(_cell(c) for c in row) + " |" for row in rows),
    ]
    total = data["summary"]["rows"]
    if total > len(rows):
        lines.append(f"\n({total - len(rows):,} more rows not shown; {total:,} in all.)")
    return "\n".join(lines)


def _fmt(value: float | None, style: str = "number") -> str:
    if value is None:
        return "—"
    if style == "percent":
        return f"{value * 100:.2f}%"
    if style == "money":
        return f"{value:,.2f}"
    return f"{value:,.0f}" if float(value).is_integer() else f"{value:,.2f}"


RATE_COLUMNS = (
    ("ctr", "CTR", "percent"),
    ("cpl", "CPL", "money"),
    ("conversion_rate", "Conv. rate", "percent"),
    ("roas", "ROAS", "number"),
)


def summary_columns(summary: dict[str, Any]) -> list[tuple[str, str, str]]:
    """(key, label, style) of the figures present in this summary, metrics then rates."""
    metrics = summary["metrics"]
    columns = [
        (m, m.capitalize(), "money" if m in {"spend", "revenue"} else "number") for m in metrics
    ]
    columns += [c for c in RATE_COLUMNS if summary["totals"].get(c[0]) is not None]
    return columns


def summary_markdown(title: str, summary: dict[str, Any]) -> str:
    """What prompts receive by default for campaign data: totals, rates, breakdowns."""
    columns = summary_columns(summary)
    period = ""
    if summary.get("date_from"):
        period = f", {summary['date_from']} to {summary['date_to']}"
    totals = summary["totals"]
    lines = [
        f"# {title}",
        "",
        f"Campaign results: {summary['rows']:,} rows{period}.",
        "",
        "Totals: " + " · ".join(f"{label} {_fmt(totals.get(k), s)}" for k, label, s in columns),
    ]
    for dimension in ("channel", "campaign"):
        groups = summary.get(f"by_{dimension}")
        if not groups:
            continue
        lines += [
            "",
            f"## By {dimension}",
            "",
            f"| {dimension.capitalize()} | "
            + " | ".join(label for _k, label, _s in columns)
            + " |",
            "|---|" + "---:|" * len(columns),
        ]
        for group in groups:
            figures = " | ".join(_fmt(group.get(k), s) for k, _label, s in columns)
            lines.append(f"| {_cell(group['name'])} | {figures} |")
    return "\n".join(lines)
