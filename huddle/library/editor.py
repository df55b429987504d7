"""The workflow editor form: rows of steps and inputs posted as numbered fields.

``EditorState.from_post`` reads what the page posted; ``from_version`` prefills it; ``rows`` pair
each step and input with its errors (keys like ``steps.1.template``) for the template.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.http import QueryDict

from huddle.library.content import INPUT_TYPES
from huddle.library.models import Workflow, WorkflowVersion

MAX_ROWS = 30


@dataclass
class EditorState:
    title: str = ""
    slug: str = ""
    kind: str = "prompt"
    summary: str = ""
    tags: str = ""
    visibility: str = "private"
    team: str = ""
    changelog: str = ""
    system: str = ""
    negative_constraints: str = ""
    manual_edits: str = ""
    baseline_minutes: str = ""
    required_elements: str = ""  # comma-separated: cta, question_end, max_words:120 …
    steps: list[dict[str, str]] = field(default_factory=list)
    inputs: list[dict[str, Any]] = field(default_factory=list)

    @classmethod
    def from_post(cls, data: QueryDict) -> EditorState:
        # Browsers send textarea line breaks as CRLF; templates and texts keep plain newlines.
        clean = QueryDict(mutable=True)
        for key in data:
            clean.setlist(key, [value.replace("\r\n", "\n") for value in data.getlist(key)])
        data = clean
        state = cls(
            **{
                name: data.get(name, "").strip() if name != "system" else data.get(name, "")
                for name in (
                    "title", "slug", "kind", "summary", "tags", "visibility", "team",
                    "changelog", "system", "negative_constraints", "manual_edits",
                    "baseline_minutes", "required_elements",
                )
            }
        )  # fmt: skip
        for i in range(MAX_ROWS):
            template = data.get(f"step_template_{i}")
            if template is None:
                continue
            name = data.get(f"step_name_{i}", "").strip()
            if template.strip() or name:
                state.steps.append(
                    {"name": name or f"step_{len(state.steps) + 1}", "template": template}
                )
        for i in range(MAX_ROWS):
            name = data.get(f"input_name_{i}")
            if name is None or not name.strip():
                continue
            state.inputs.append(
                {
                    "name": name.strip(),
                    "label": data.get(f"input_label_{i}", "").strip(),
                    "help": data.get(f"input_help_{i}", "").strip(),
                    "type": data.get(f"input_type_{i}", "text"),
                    "choices": data.get(f"input_choices_{i}", "").strip(),
                    "default": data.get(f"input_default_{i}", ""),
                    "required": data.get(f"input_required_{i}") == "on",
                }
            )
        return state

    @classmethod
    def from_version(cls, workflow: Workflow, version: WorkflowVersion) -> EditorState:
        return cls(
            title=workflow.title,
            slug=workflow.slug,
            kind=workflow.kind,
            summary=workflow.summary,
            tags=", ".join(workflow.tags.values_list("name", flat=True)),
            visibility=workflow.visibility,
            team=workflow.team.slug if workflow.team else "",
            system=version.system,
            negative_constraints=version.negative_constraints,
            manual_edits=version.manual_edits,
            baseline_minutes=str(version.baseline_minutes or ""),
            required_elements=", ".join(version.required_elements or []),
            steps=[dict(step) for step in version.steps],
            inputs=[
                {**spec, "choices": ", ".join(spec.get("choices") or [])} for spec in version.inputs
            ],
        )

    def content_data(self) -> dict[str, Any]:
        return {
            "system": self.system,
            "steps": self.steps,
            "inputs": self.inputs,
            "negative_constraints": self.negative_constraints,
            "manual_edits": self.manual_edits,
            "baseline_minutes": self.baseline_minutes,
            "required_elements": self.required_elements,
        }

    def tag_list(self) -> list[str]:
        return [tag.strip() for tag in self.tags.split(",") if tag.strip()]

    def step_rows(self, errors: dict[str, list[str]]) -> list[dict[str, Any]]:
        steps = self.steps or [{"name": "step_1", "template": ""}]
        return [
            {
                "index": i,
                **step,
                "errors": errors.get(f"steps.{i}.template", []) + errors.get(f"steps.{i}.name", []),
            }
            for i, step in enumerate(steps)
        ]

    def input_rows(self, errors: dict[str, list[str]]) -> list[dict[str, Any]]:
        rows = []
        for i, spec in enumerate(self.inputs):
            problems = [
                m for key, ms in errors.items() if key.startswith(f"inputs.{i}.") for m in ms
            ]
            rows.append({"index": i, **spec, "errors": problems})
        return rows


INPUT_TYPE_CHOICES = [(t, t.replace("_", " ")) for t in INPUT_TYPES]
