"""Forms for context pages: the common fields, the fields of each kind, packs.

Lists are typed one item per line; a messaging hierarchy is typed as an outline (a pillar per
line, its proof points below it starting with "-"); a glossary as lines per section.
"""

from __future__ import annotations

from typing import Any

from django import forms

from huddle.accounts.models import Team, Visibility
from huddle.context.models import ContextAsset, Kind

ONE_PER_LINE = "One per line."


def _area(label: str, rows: int = 4, help_text: str = "", required: bool = False) -> forms.Field:
    return forms.CharField(
        label=label,
        required=required,
        help_text=help_text,
        widget=forms.Textarea(attrs={"rows": rows}),
    )


KIND_FIELDS: dict[str, dict[str, forms.Field]] = {
    Kind.BRAND: {
        "voice": _area("Voice and tone", 8, "Markdown. Or upload the guide below."),
        "do": _area("Do", 4, ONE_PER_LINE),
        "dont": _area("Don't", 4, ONE_PER_LINE),
        "samples": _area("Sample copy", 6, "Markdown."),
    },
    Kind.PERSONA: {
        "role": forms.CharField(label="Role", max_length=200, required=False),
        "goals": _area("Goals", 3, ONE_PER_LINE),
        "pains": _area("Pains", 3, ONE_PER_LINE),
        "objections": _area("Objections", 3, ONE_PER_LINE),
        "channels": _area("Channels", 2, ONE_PER_LINE),
        "quotes": _area("Quotes", 3, "One per line, in their words."),
        "notes": _area("Notes", 4, "Markdown."),
    },
    Kind.MESSAGING: {
        "positioning": _area("Positioning", 3),
        "pillars": _area(
            "Pillars and proof points",
            10,
            "A pillar per line; its proof points on the lines below it, starting with “-”.",
        ),
    },
    Kind.GLOSSARY: {
        "preferred": _area("Preferred terms", 4, "One per line; “term | instead of” is allowed."),
        "banned": _area("Banned terms", 4, "One per line: “banned term → replacement”."),
        "products": _area("Product names", 3, "One per line, spelt exactly."),
    },
    Kind.OTHER: {"text": _area("Text", 14, "Markdown. Or upload a file below.")},
    Kind.CAMPAIGN_DATA: {},
}

UPLOAD_HELP = {
    Kind.CAMPAIGN_DATA: "CSV or XLSX with a header row: date, channel, campaign, impressions, "
    "clicks, spend, leads, conversions, revenue (any of them).",
    Kind.GLOSSARY: "Or upload a CSV with the header term,kind,replacement "
    "(kind: preferred, banned or product). It replaces the terms above.",
    Kind.BRAND: "Markdown, text, DOCX or PDF: its text becomes the voice and tone.",
    Kind.PERSONA: "Markdown, text, DOCX or PDF: its text becomes the notes.",
    Kind.OTHER: "Markdown, text, DOCX or PDF.",
}


class AssetForm(forms.Form):
    title = forms.CharField(max_length=200)
    slug = forms.CharField(
        max_length=50,
        help_text="Used in templates as {{ context.<slug> }}: lowercase letters, digits and _.",
    )
    description = forms.CharField(max_length=300, required=False)
    visibility = forms.ChoiceField(choices=Visibility.choices, initial=Visibility.ORG)
    team = forms.ModelChoiceField(queryset=Team.objects.none(), required=False)
    changelog = forms.CharField(max_length=300, required=False, label="What changed")
    draft = forms.BooleanField(
        required=False, label="Save as a draft (not used by prompts until approved)"
    )

    def __init__(self, *args: Any, kind: str, new: bool, teams: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.kind = kind
        self.fields["team"].queryset = teams
        for name, field in KIND_FIELDS[kind].items():
            self.fields[name] = field
        if kind in UPLOAD_HELP:
            self.fields["file"] = forms.FileField(
                label="File",
                required=kind == Kind.CAMPAIGN_DATA and new,
                help_text=UPLOAD_HELP[kind],
            )
        if new:
            del self.fields["changelog"]
        else:
            del self.fields["slug"]
            del self.fields["visibility"]
            del self.fields["team"]
            del self.fields["description"]

    def content(self) -> dict[str, Any]:
        """The kind's data from the cleaned fields (what ``kinds.clean`` validates)."""
        values = self.cleaned_data
        if self.kind == Kind.MESSAGING:
            return {
                "positioning": values["positioning"],
                "pillars": parse_outline(values["pillars"]),
            }
        if self.kind == Kind.GLOSSARY:
            return {"terms": parse_glossary_lines(values)}
        return {name: values[name] for name in KIND_FIELDS[self.kind]}


def parse_outline(text: str) -> list[dict[str, Any]]:
    pillars: list[dict[str, Any]] = []
    for line in (text or "").splitlines():
        stripped = line.strip()
        if not stripped:
            continue
        if stripped.startswith(("-", "*", "•")):
            point = stripped.lstrip("-*• ").strip()
            if not pillars:
                pillars.append({"name": "", "proof_points": []})
            pillars[-1]["proof_points"].append(point)
        else:
            pillars.append({"name": stripped, "proof_points": []})
    return pillars


def parse_glossary_lines(values: dict[str, str]) -> list[dict[str, str]]:
    terms = []
    for line in (values.get("preferred") or "").splitlines():
        term, _, instead = line.partition("|")
        if term.strip():
            terms.append(
                {"term": term.strip(), "kind": "preferred", "replacement": instead.strip()}
            )
    for line in (values.get("banned") or "").splitlines():
        for arrow in ("→", "->", "=>", "|"):
            if arrow in line:
                term, _, replacement = line.partition(arrow)
                break
        else:
            term, replacement = line, ""
        if term.strip():
            terms.append(
                {"term": term.strip(), "kind": "banned", "replacement": replacement.strip()}
            )
    for line in (values.get("products") or "").splitlines():
        if line.strip():
            terms.append({"term": line.strip(), "kind": "product", "replacement": ""})
    return terms


def initial_for(asset: ContextAsset, data: dict[str, Any]) -> dict[str, Any]:
    """Form values showing ``data`` (a version's) for editing."""
    initial: dict[str, Any] = {"title": asset.title}
    kind = asset.kind
    if kind == Kind.MESSAGING:
        lines = []
        for pillar in data.get("pillars", []):
            lines.append(pillar["name"])
            lines.extend(f"- {point}" for point in pillar["proof_points"])
        initial |= {"positioning": data.get("positioning", ""), "pillars": "\n".join(lines)}
    elif kind == Kind.GLOSSARY:
        terms = data.get("terms", [])

        def pick(k: str, fmt: str) -> str:
            return "\n".join(fmt.format(**t) for t in terms if t["kind"] == k)

        initial |= {
            "preferred": "\n".join(
                t["term"] + (f" | {t['replacement']}" if t["replacement"] else "")
                for t in terms
                if t["kind"] == "preferred"
            ),
            "banned": pick("banned", "{term} → {replacement}"),
            "products": pick("product", "{term}"),
        }
    else:
        for name in KIND_FIELDS[kind]:
            value = data.get(name, "")
            initial[name] = "\n".join(value) if isinstance(value, list) else value
    return initial


class PackForm(forms.Form):
    name = forms.CharField(max_length=120)
    description = forms.CharField(max_length=300, required=False)
    assets = forms.ModelMultipleChoiceField(
        queryset=ContextAsset.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        help_text="They appear in the export in title order.",
    )

    def __init__(self, *args: Any, assets: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["assets"].queryset = assets


class SharingForm(forms.Form):
    visibility = forms.ChoiceField(choices=Visibility.choices, label="Who may see it")
    team = forms.ModelChoiceField(queryset=Team.objects.none(), required=False)

    def __init__(self, *args: Any, teams: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["team"].queryset = teams


class ApproveForm(forms.Form):
    """Approve a version (``version``) or, without one, the latest."""

    version = forms.IntegerField(required=False, min_value=1)


class ArchiveForm(forms.Form):
    """Archive an asset, or restore it with ``restore``."""

    restore = forms.BooleanField(required=False)
