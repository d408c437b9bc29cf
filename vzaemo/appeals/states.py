"""Appeal lifecycle (Law 393/96 "On citizens' appeals", arts. 3, 7, 8, 15, 17, 20).

submitted -> registered -> in_progress -> (extended) -> answered | refused, and from submitted,
registered or in_progress an appeal outside the body's competence is forwarded: the forwarding
body's row ends as `forwarded` and a new row, addressed to the competent body, starts as
`submitted` (so each body's duty is a fact of its own, see services.appeal_forward).
Overdue is not a state: it is computed from the stored deadline (`Appeal.is_overdue`).
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from vzaemo.core.state_machine import StateMachine


class AppealStatus(models.TextChoices):
    SUBMITTED = "submitted", _("submitted")
    REGISTERED = "registered", _("registered")
    FORWARDED = "forwarded", _("forwarded to the competent body")
    IN_PROGRESS = "in_progress", _("in progress")
    EXTENDED = "extended", _("term extended")
    ANSWERED = "answered", _("answered")
    REFUSED = "refused", _("refused with reasons")


S = AppealStatus

APPEAL_MACHINE: StateMachine[AppealStatus] = StateMachine.build(
    "appeal",
    {
        "register": ([S.SUBMITTED], S.REGISTERED),
        "forward": ([S.SUBMITTED, S.REGISTERED, S.IN_PROGRESS], S.FORWARDED),
        "start": ([S.REGISTERED], S.IN_PROGRESS),
        "extend": ([S.REGISTERED, S.IN_PROGRESS, S.EXTENDED], S.EXTENDED),
        "answer": ([S.REGISTERED, S.IN_PROGRESS, S.EXTENDED], S.ANSWERED),
        "refuse": ([S.REGISTERED, S.IN_PROGRESS, S.EXTENDED], S.REFUSED),
    },
    label=_("appeal"),
)

# The authority still owes something: registration (submitted) or an answer (the rest).
OPEN = frozenset({S.SUBMITTED, S.REGISTERED, S.IN_PROGRESS, S.EXTENDED})
AWAITING_ANSWER = frozenset({S.REGISTERED, S.IN_PROGRESS, S.EXTENDED})
# A decision on the merits or a written refusal: what a complaint (art. 17) can be about.
DECIDED = frozenset({S.ANSWERED, S.REFUSED})


class AppealKind(models.TextChoices):
    """Art. 3."""

    PROPOSAL = "proposal", _("proposal (remark)")
    STATEMENT = "statement", _("statement (request)")
    COMPLAINT = "complaint", _("complaint")


class AppealCategory(models.TextChoices):
    GENERAL = "general", _("general")
    # The community-policing channel (UA0067): addressed to a police unit, with a place and a photo.
    COMMUNITY_SAFETY = "community_safety", _("community safety")


class AnswerTerm(models.TextChoices):
    """Chosen at registration (art. 20): the shorter term if no extra study is needed, otherwise the general one.

    The labels say when a term applies, not how long it is: the length is the registry's
    (`rules.TERM_RULE`), and `rules.term_label` puts the two together for people.
    """

    SIMPLE = "simple", _("no extra study needed")
    STANDARD = "standard", _("extra study needed")


class RefusalReason(models.TextChoices):
    """Appeals not considered (art. 8); a refusal is written, cites the law and gives reasons (art. 15)."""

    ANONYMOUS = "anonymous", _("anonymous appeal (art. 8)")
    REPEAT_DECIDED = "repeat_decided", _("repeats an issue already decided on the merits (art. 8)")
    COMPLAINT_TERM_MISSED = "complaint_term_missed", _("complaint filed after the term of art. 17 (art. 8)")
    OTHER = "other", _("other lawful ground (stated in the reasons)")


class EventKind(models.TextChoices):
    SUBMITTED = "submitted", _("submitted")
    RECEIVED = "received", _("received by forwarding")
    REGISTERED = "registered", _("registered")
    FORWARDED = "forwarded", _("forwarded")
    STARTED = "started", pgettext_lazy("appeal event", "consideration started")
    EXTENDED = "extended", _("term extended")
    ANSWERED = "answered", _("answered")
    REFUSED = "refused", _("refused")
    UNSATISFACTORY = "unsatisfactory", _("answer marked unsatisfactory")
    COMPLAINED = "complained", _("complaint filed to the higher body")
