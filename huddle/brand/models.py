"""The brand check stored on a run: score, findings and which rules produced them."""

from __future__ import annotations

from django.db import models

from huddle.runs.models import Run


class RunBrandCheck(models.Model):
    """The check of a run's final text when it was saved (one per run; re-checking replaces it).

    Kept here rather than as fields of ``Run`` so the brand app owns its table; the run page reads
    ``run.brand_check`` and insights sum the scores per member (``insights.metrics.data``).
    """

    run = models.OneToOneField(Run, on_delete=models.CASCADE, related_name="brand_check")
    score = models.PositiveSmallIntegerField()
    blocking = models.BooleanField(default=False)
    findings = models.JSONField(default=list, blank=True)
    ruleset_fingerprint = models.CharField(max_length=16)
    sources = models.JSONField(default=list, blank=True)  # "glossary v3", for people
    checked_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=models.Q(score__lte=100), name="brand_check_score_0_to_100"
            )
        ]

    def __str__(self) -> str:
        return f"Brand check of run {self.run_id}: {self.score}"
