"""A ModelAdmin base whose every save and delete leaves an audit record (docs/design.md rule 5)."""

from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.contrib import admin
from django.db import models
from django.db.models import QuerySet
from django.forms.models import model_to_dict
from django.http import HttpRequest

from vzaemo.core import audit, audit_tags
from vzaemo.core.audit_tags import AuditTag

if TYPE_CHECKING:
    # Generic only for the type checker: Django's classes are not subscriptable at run time.
    _ModelAdmin = admin.ModelAdmin[Any]
else:
    _ModelAdmin = admin.ModelAdmin


def _json_safe(value: Any) -> Any:
    if isinstance(value, dt.date | dt.time):  # datetime is a date
        return value.isoformat()
    if isinstance(value, Decimal):
        # Fixed-point without trailing zeros, so the database's 10.0000 and a form's 10 read alike
        # (str(normalize()) alone would give "1E+1").
        return format(value.normalize(), "f")
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, list | tuple | set):
        return [_json_safe(item) for item in value]
    if isinstance(value, models.Model):
        return value.pk
    return value


def snapshot(obj: models.Model, *, exclude: tuple[str, ...] = ()) -> dict[str, Any]:
    """The editable fields of `obj` as a JSON-safe dict, for an audit entry's before/after."""
    return {name: _json_safe(value) for name, value in model_to_dict(obj, exclude=exclude).items()}


class AuditedModelAdmin(_ModelAdmin):
    """A ModelAdmin whose saves and deletes record before/after in the audit log, in the same transaction.

    The admin wraps each change in a transaction, so the entry commits or rolls back with the change.
    """

    audit_tag: AuditTag
    # Secrets (password hashes) never go into the log.
    audit_exclude: tuple[str, ...] = ()

    def _snapshot(self, obj: Any) -> dict[str, Any]:
        return snapshot(obj, exclude=self.audit_exclude)

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        # `obj` already carries the form's values, so the previous state comes from the database.
        previous = self.model._default_manager.filter(pk=obj.pk).first() if change else None
        super().save_model(request, obj, form, change)
        audit.record(
            actor=request.user,
            subject=obj,
            tag=self.audit_tag,
            before=self._snapshot(previous) if previous is not None else None,
            after=self._snapshot(obj),
        )

    def delete_model(self, request: HttpRequest, obj: Any) -> None:
        # Recorded first, while the subject still has its primary key.
        audit.record(actor=request.user, subject=obj, tag=self.audit_tag, before=self._snapshot(obj), after=None)
        super().delete_model(request, obj)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> None:
        # The bulk "delete selected" action bypasses delete_model; each row still needs its record.
        for obj in queryset:
            audit.record(actor=request.user, subject=obj, tag=self.audit_tag, before=self._snapshot(obj), after=None)
        super().delete_queryset(request, queryset)

    def save_formset(self, request: HttpRequest, form: Any, formset: Any, change: bool) -> None:
        # Inline rows (e.g. memberships on an authority) are changes too.
        instances = formset.save(commit=False)
        for obj in formset.deleted_objects:
            audit.record(
                actor=request.user, subject=obj, tag=audit_tags.inline(self.audit_tag), before=snapshot(obj), after=None
            )
            obj.delete()
        for obj in instances:
            previous = type(obj)._default_manager.filter(pk=obj.pk).first() if obj.pk else None
            obj.save()
            audit.record(
                actor=request.user,
                subject=obj,
                tag=audit_tags.inline(self.audit_tag),
                before=snapshot(previous) if previous is not None else None,
                after=snapshot(obj),
            )
        formset.save_m2m()
