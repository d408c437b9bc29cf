"""Who may do what with a petition, and when. Roles are held at the petition's authority."""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from typing import Any

from django.utils.translation import gettext_lazy as _

from vzaemo.accounts.models import Role
from vzaemo.accounts.selectors import authorities_where, has_authority_role
from vzaemo.core import clock
from vzaemo.core.actions import Policy, rule, transition, when, who
from vzaemo.core.errors import DomainError, NotAllowed
from vzaemo.petitions.errors import PetitionError
from vzaemo.petitions.models import Petition
from vzaemo.petitions.states import PETITION_MACHINE, PUBLIC, SIGNABLE, PetitionStatus

MODERATOR_ROLES = {Role.MODERATOR, Role.ADMIN}
ANSWER_ROLES = {Role.RESPONDER, Role.OFFICIAL, Role.ADMIN}
STAFF_ROLES = MODERATOR_ROLES | ANSWER_ROLES


class PetitionAction(StrEnum):
    EDIT = "edit"
    SUBMIT = "submit"
    PUBLISH = "publish"
    REJECT = "reject"
    SIGN = "sign"
    START_CONSIDERATION = "start_consideration"
    ANSWER = "answer"


def works_inbox(user: Any) -> bool:
    """A moderator or responder of some authority: the petitions inbox and the link to it are theirs."""
    return bool(user.is_authenticated) and authorities_where(user=user, roles=STAFF_ROLES).exists()


def can_moderate(user: Any, petition: Petition) -> bool:
    return has_authority_role(user=user, authority_id=petition.authority_id, roles=MODERATOR_ROLES)


def can_answer(user: Any, petition: Petition) -> bool:
    return has_authority_role(user=user, authority_id=petition.authority_id, roles=ANSWER_ROLES)


def is_author(user: Any, petition: Petition) -> bool:
    return bool(user.is_authenticated) and petition.author_id == user.pk


def can_view(user: Any, petition: Petition) -> bool:
    if petition.status in PUBLIC:
        return True
    if not user.is_authenticated:
        return False
    if petition.author_id == user.pk:
        return True
    return has_authority_role(user=user, authority_id=petition.authority_id, roles=STAFF_ROLES)


def signer_refusal(user: Any) -> DomainError | None:
    """Who may sign at all: a signed-in person with a confirmed email (art. 23-1: identified signers)."""
    if not user.is_authenticated:
        return NotAllowed(_("Sign in to sign petitions."), code=PetitionError.SIGN_IN_REQUIRED)
    if not user.email_verified:
        return NotAllowed(_("Confirm your email address before signing."), code=PetitionError.EMAIL_NOT_VERIFIED)
    return None


def collecting_refusal(
    status: str, collection_ends_at: dt.datetime | None, *, at: dt.datetime | None = None
) -> DomainError | None:
    """Taking the two columns, not the petition, so the signing path needs no model instance."""
    now = at or clock.now()
    if status not in SIGNABLE or (collection_ends_at is not None and collection_ends_at <= now):
        return NotAllowed(_("This petition is not collecting signatures."), code=PetitionError.PETITION_NOT_COLLECTING)
    return None


NOT_OFFICIAL = who(
    can_answer, _("Only an official of the addressed authority may do this."), PetitionError.NOT_OFFICIAL
)


POLICY: Policy[PetitionAction, Petition] = Policy(
    {
        PetitionAction.EDIT: rule(
            who=[who(is_author, _("Only the author may edit this petition."), PetitionError.NOT_AUTHOR)],
            when=[
                when(
                    lambda p: p.status == PetitionStatus.DRAFT,
                    _("Only a draft can be edited."),
                    PetitionError.PETITION_NOT_DRAFT,
                )
            ],
        ),
        PetitionAction.SUBMIT: rule(
            who=[who(is_author, _("Only the author may submit this petition."), PetitionError.NOT_AUTHOR)],
            when=[transition(PETITION_MACHINE, "submit")],
        ),
        PetitionAction.PUBLISH: rule(
            who=[
                who(
                    can_moderate,
                    _("Only a moderator of the addressed authority may publish this petition."),
                    PetitionError.NOT_MODERATOR,
                )
            ],
            when=[transition(PETITION_MACHINE, "publish")],
        ),
        PetitionAction.REJECT: rule(
            who=[
                who(
                    can_moderate,
                    _("Only a moderator of the addressed authority may reject this petition."),
                    PetitionError.NOT_MODERATOR,
                )
            ],
            when=[transition(PETITION_MACHINE, "reject")],
        ),
        PetitionAction.SIGN: rule(
            who=[lambda user, _petition: signer_refusal(user)],
            when=[lambda _user, p: collecting_refusal(p.status, p.collection_ends_at)],
        ),
        PetitionAction.START_CONSIDERATION: rule(
            who=[NOT_OFFICIAL], when=[transition(PETITION_MACHINE, "start_consideration")]
        ),
        PetitionAction.ANSWER: rule(
            who=[
                who(
                    can_answer,
                    _("Only an official of the addressed authority may answer this petition."),
                    PetitionError.NOT_OFFICIAL,
                )
            ],
            when=[transition(PETITION_MACHINE, "answer")],
        ),
    }
)


def petition_actions(user: Any, petition: Petition) -> set[PetitionAction]:
    """What `user` may do with `petition` now; a page shows a button for each, the services check the same."""
    return POLICY.actions(user, petition)


def petition_check(user: Any, petition: Petition, action: PetitionAction, *, who_only: bool = False) -> None:
    """Raise the refusal that stops `action` (NotAllowed or InvalidTransition, with its code), if any."""
    POLICY.check(user, petition, action, who_only=who_only)
