"""Tables used only by the signing benchmark (never installed in production)."""

from __future__ import annotations

from django.db import models


class BareSignature(models.Model):
    """The minimum a durable signature needs: one row, one unique key. The ceiling's table."""

    petition_id = models.BigIntegerField()
    person_id = models.BigIntegerField()
    created_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["petition_id", "person_id"], name="bench_bare_signature_one_per_person")
        ]


class NaivePetitionCounter(models.Model):
    """The anti-pattern docs/design.md rule 6 forbids: one hot row updated by every signature."""

    petition_id = models.BigIntegerField(primary_key=True)
    count = models.BigIntegerField(default=0)
