"""Appeals in the one stop (core.participation, ADR 0019).

Appeals are private (Law 393/96; `permissions.can_view`): every item is `is_public=False`, so the one-stop
index never stores one and no public list, search or feed can show one. Only the cabinet lists them, to
the applicant and to the addressed authority's staff, from `involvements()`.
"""

from __future__ import annotations

from collections.abc import Collection, Iterator
from typing import Any

from django.urls import reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from vzaemo.accounts.selectors import authorities_where
from vzaemo.appeals.models import Appeal
from vzaemo.appeals.permissions import STAFF_ROLES
from vzaemo.appeals.states import OPEN, AppealCategory, AppealStatus
from vzaemo.core.participation import Involvement, Item, Party, Whose

SUBJECT = Appeal._meta.label_lower


class AppealSource:
    kind = "appeal"
    label = _("Appeal")
    label_plural = _("Appeals")
    answered_statuses: frozenset[str] = frozenset()  # answers are private

    def subject_label(self, code: str) -> str | Promise | None:
        prefix, _sep, value = code.partition(":")
        return AppealCategory(value).label if prefix == "category" and value in AppealCategory.values else None

    def items(self, object_ids: Collection[int] | None = None) -> Iterator[Item]:
        appeals = Appeal.objects.select_related("authority")
        if object_ids is not None:
            appeals = appeals.filter(pk__in=object_ids)
        for appeal in appeals.order_by("pk").iterator(chunk_size=500):
            yield self.item(appeal)

    def item(self, appeal: Appeal) -> Item:
        due = appeal.next_due_at
        return Item(
            kind=self.kind,
            object_id=appeal.pk,
            title=f"{appeal.get_kind_display()} № {appeal.pk}",
            url=reverse("web:appeal_detail", args=[appeal.pk]),
            is_public=False,
            status=appeal.status,
            updated_at=appeal.updated_at,
            summary=appeal.essence[:300],
            authority_id=appeal.authority_id,
            region=appeal.authority.region,
            subjects=(f"category:{appeal.category}",),
            opens_at=appeal.received_at,
            deadline=due,
            deadline_whose=Whose.AUTHORITY if due is not None else None,
        )

    def statuses(self) -> list[tuple[str, str | Promise]]:
        return []  # nothing public to filter

    def status_label(self, status: str) -> str | Promise:
        return AppealStatus(status).label if status in AppealStatus.values else status

    def involvements(self, user: Any) -> Iterator[Involvement]:
        if not user.is_authenticated:
            return
        # At the body that has it now: a forwarded row hands the duty on (appeals.selectors.appeals_of_applicant).
        for appeal in Appeal.objects.filter(applicant=user, forwarded_to__isnull=True):
            yield Involvement(
                object_id=appeal.pk,
                role="applicant",
                role_label=_("applicant"),
                deadline=appeal.next_due_at,
                deadline_whose=Whose.AUTHORITY,
                in_progress=appeal.status in OPEN,
            )
        authorities = list(authorities_where(user=user, roles=STAFF_ROLES).values_list("pk", flat=True))
        for appeal in Appeal.objects.filter(authority__in=authorities, status__in=OPEN):
            yield Involvement(
                object_id=appeal.pk,
                role="registry" if appeal.awaiting_registration else "responder",
                role_label=_("to register") if appeal.awaiting_registration else _("to answer"),
                party=Party.AUTHORITY,
                party_id=appeal.authority_id,
                deadline=appeal.next_due_at,
                deadline_whose=Whose.AUTHORITY,
            )

    def affected(self, subjects: Collection[tuple[str, str]]) -> set[int]:
        return {int(pk) for label, pk in subjects if label == SUBJECT and pk.isdigit()}
