"""Admin screens of the working-day calendar: the martial-law switch and day overrides.

Every edit is audited and drops the cached calendar of this process at once and again on commit (a
request that read the old rows in between must not keep them); other processes reload within
`calendar.CACHE_SECONDS`.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db import transaction
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from vzaemo.core import calendar
from vzaemo.core.admin.audited import AuditedModelAdmin
from vzaemo.core.audit_tags import AuditTag
from vzaemo.core.models import CalendarOverride, MartialLawPeriod


def _forget_calendar() -> None:
    calendar.reset_cache()
    transaction.on_commit(calendar.reset_cache)


class CalendarAdmin(AuditedModelAdmin):
    audit_tag = AuditTag.CORE_CALENDAR_CHANGE

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        super().save_model(request, obj, form, change)
        _forget_calendar()

    def delete_model(self, request: HttpRequest, obj: Any) -> None:
        super().delete_model(request, obj)
        _forget_calendar()

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> None:
        super().delete_queryset(request, queryset)
        _forget_calendar()


class SuspensionStateFilter(admin.SimpleListFilter):
    title = _("state")
    parameter_name = "state"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, Any]]:
        return [("open", _("in force (no end date)")), ("closed", _("ended"))]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any]:
        if self.value() == "open":
            return queryset.filter(ends_on__isnull=True)
        if self.value() == "closed":
            return queryset.filter(ends_on__isnull=False)
        return queryset


@admin.register(MartialLawPeriod)
class MartialLawPeriodAdmin(CalendarAdmin):
    list_display = ("starts_on", "ends_on", "in_force", "basis")
    list_filter = (SuspensionStateFilter, "starts_on")
    search_fields = ("basis",)
    date_hierarchy = "starts_on"

    @admin.display(boolean=True, description=_("open"))
    def in_force(self, obj: MartialLawPeriod) -> bool:
        return obj.ends_on is None


@admin.register(CalendarOverride)
class CalendarOverrideAdmin(CalendarAdmin):
    list_display = ("day", "weekday", "is_working_day", "reason")
    list_filter = ("is_working_day", "day")
    search_fields = ("reason",)
    date_hierarchy = "day"

    @admin.display(description=_("weekday"), ordering="day")
    def weekday(self, obj: CalendarOverride) -> str:
        return date_format(obj.day, "D")
