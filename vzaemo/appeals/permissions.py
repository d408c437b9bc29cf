"""Who may do what with an appeal. Roles are held at the appeal's (current) authority.

Appeals are private: the applicant, members of the addressed authority and superusers see one;
for anyone else it does not exist (the pages answer 404, not 403).
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from django.utils.translation import gettext_lazy as _

from vzaemo.accounts.models import AUTHORITY_ROLES, Role
from vzaemo.accounts.selectors import authorities_where, has_authority_role
from vzaemo.appeals.errors import AppealError
from vzaemo.appeals.models import Appeal
from vzaemo.appeals.states import APPEAL_MACHINE, DECIDED, AppealStatus
from vzaemo.core.actions import Policy, rule, transition, when, who
from vzaemo.core.errors import Conflict, ValidationFailed

# The registry office: registers, chooses the term, forwards to the competent body.
REGISTRY_ROLES = {Role.MODERATOR, Role.OFFICIAL, Role.ADMIN}
# Those who prepare and sign the answer.
ANSWER_ROLES = {Role.RESPONDER, Role.OFFICIAL, Role.ADMIN}
# The head (or the official acting for the head) sets an extended term (art. 20).
HEAD_ROLES = {Role.OFFICIAL, Role.ADMIN}
STAFF_ROLES = set(AUTHORITY_ROLES)


class AppealAction(StrEnum):
    REGISTER = "register"
    FORWARD = "forward"
    START = "start"
    EXTEND = "extend"
    ANSWER = "answer"
    REFUSE = "refuse"
    MARK_UNSATISFACTORY = "mark_unsatisfactory"
    COMPLAIN = "complain"


def works_inbox(user: Any) -> bool:
    """An official of some authority: the appeals inbox and the link to it are theirs."""
    return bool(user.is_authenticated) and authorities_where(user=user, roles=STAFF_ROLES).exists()


def _has(user: Any, appeal: Appeal, roles: set[Role]) -> bool:
    return has_authority_role(user=user, authority_id=appeal.authority_id, roles=roles)


def can_view(user: Any, appeal: Appeal) -> bool:
    if not user.is_authenticated:
        return False
    if user.is_superuser or appeal.applicant_id == user.pk:
        return True
    return _has(user, appeal, STAFF_ROLES)


def can_register(user: Any, appeal: Appeal) -> bool:
    return _has(user, appeal, REGISTRY_ROLES)


def can_answer(user: Any, appeal: Appeal) -> bool:
    return _has(user, appeal, ANSWER_ROLES)


def can_refuse(user: Any, appeal: Appeal) -> bool:
    return _has(user, appeal, REGISTRY_ROLES | ANSWER_ROLES)


def can_extend(user: Any, appeal: Appeal) -> bool:
    return _has(user, appeal, HEAD_ROLES)


def is_applicant(user: Any, appeal: Appeal) -> bool:
    return bool(user.is_authenticated) and appeal.applicant_id == user.pk


POLICY: Policy[AppealAction, Appeal] = Policy(
    {
        AppealAction.REGISTER: rule(
            who=[
                who(
                    can_register,
                    _("Only the registry of the addressed authority may register this appeal."),
                    AppealError.NOT_REGISTRY,
                )
            ],
            when=[transition(APPEAL_MACHINE, "register")],
        ),
        AppealAction.FORWARD: rule(
            who=[
                who(
                    can_register,
                    _("Only the registry of the addressed authority may forward this appeal."),
                    AppealError.NOT_REGISTRY,
                )
            ],
            when=[transition(APPEAL_MACHINE, "forward")],
        ),
        AppealAction.START: rule(
            who=[
                who(can_answer, _("Only an official of the addressed authority may do this."), AppealError.NOT_OFFICIAL)
            ],
            when=[transition(APPEAL_MACHINE, "start")],
        ),
        AppealAction.EXTEND: rule(
            who=[
                who(
                    can_extend,
                    _("Only the head of the addressed authority may extend the term."),
                    AppealError.NOT_HEAD,
                )
            ],
            when=[transition(APPEAL_MACHINE, "extend")],
        ),
        AppealAction.ANSWER: rule(
            who=[
                who(
                    can_answer,
                    _("Only an official of the addressed authority may answer this appeal."),
                    AppealError.NOT_OFFICIAL,
                )
            ],
            when=[transition(APPEAL_MACHINE, "answer")],
        ),
        AppealAction.REFUSE: rule(
            who=[
                who(
                    can_refuse,
                    _("Only an official of the addressed authority may refuse this appeal."),
                    AppealError.NOT_OFFICIAL,
                )
            ],
            when=[transition(APPEAL_MACHINE, "refuse")],
        ),
        AppealAction.MARK_UNSATISFACTORY: rule(
            who=[who(is_applicant, _("Only the applicant may judge the answer."), AppealError.NOT_APPLICANT)],
            when=[
                when(
                    lambda a: a.status == AppealStatus.ANSWERED,
                    _("Only an answer can be marked unsatisfactory."),
                    AppealError.APPEAL_NOT_ANSWERED,
                ),
                when(
                    lambda a: not a.unsatisfactory,
                    _("You have already marked this answer unsatisfactory."),
                    AppealError.ALREADY_UNSATISFACTORY,
                    error=Conflict,
                ),
            ],
        ),
        # The complaint term and an earlier complaint are the service's to judge: they need the
        # rules registry and a query, and the page shows the complaints already filed.
        AppealAction.COMPLAIN: rule(
            who=[
                who(is_applicant, _("Only the applicant may complain about this decision."), AppealError.NOT_APPLICANT)
            ],
            when=[
                when(
                    lambda a: a.status in DECIDED,
                    _("A complaint can be filed only about an answer or a refusal."),
                    AppealError.APPEAL_NOT_DECIDED,
                ),
                when(
                    lambda a: a.authority.parent_id is not None,
                    _(
                        "This authority has no higher body on the platform: "
                        "file the complaint with it directly or in court."
                    ),
                    AppealError.NO_HIGHER_BODY,
                    error=ValidationFailed,
                ),
            ],
        ),
    }
)


def appeal_actions(user: Any, appeal: Appeal) -> set[AppealAction]:
    """What `user` may do with `appeal` now; a page shows a button for each, the services check the same."""
    return POLICY.actions(user, appeal)


def appeal_check(user: Any, appeal: Appeal, action: AppealAction, *, who_only: bool = False) -> None:
    """Raise the refusal that stops `action` (NotAllowed, InvalidTransition, …, with its code), if any."""
    POLICY.check(user, appeal, action, who_only=who_only)
