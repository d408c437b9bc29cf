"""Who may do what with a consultation. Roles are held at the consultation's authority (or the CSO)."""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from django.utils.translation import gettext_lazy as _

from vzaemo.accounts.models import CivilSocietyOrganisation, Membership, Role
from vzaemo.accounts.selectors import authorities_where, has_authority_role
from vzaemo.consultations.errors import ConsultationError
from vzaemo.consultations.models import Consultation, Proposal
from vzaemo.consultations.states import (
    CONSULTATION_MACHINE,
    MODERATABLE,
    PROPOSAL_MACHINE,
    PUBLIC,
    ConsultationStatus,
)
from vzaemo.core.actions import Policy, Refusal, rule, transition, when, who
from vzaemo.core.errors import Conflict, DomainError, InvalidTransition, NotAllowed, ValidationFailed

# Officials prepare the draft, open it, decide on proposals and publish the report.
MANAGER_ROLES = {Role.OFFICIAL, Role.ADMIN}
# Hiding forbidden content: the authority's moderators, and the officials who run the consultation.
MODERATOR_ROLES = {Role.MODERATOR, Role.OFFICIAL, Role.ADMIN}
CSO_ACTING_ROLES = {Role.REPRESENTATIVE, Role.ADMIN}


class ConsultationAction(StrEnum):
    EDIT = "edit"
    OPEN = "open"
    PROPOSE = "propose"
    HIDE_PROPOSALS = "hide_proposals"
    DECIDE_PROPOSALS = "decide_proposals"
    PUBLISH_REPORT = "publish_report"


class ProposalAction(StrEnum):
    HIDE = "hide"
    DECIDE = "decide"


def can_manage_at(user: Any, authority_id: int) -> bool:
    return has_authority_role(user=user, authority_id=authority_id, roles=MANAGER_ROLES)


def can_manage(user: Any, consultation: Consultation) -> bool:
    return can_manage_at(user, consultation.authority_id)


def can_moderate(user: Any, consultation: Consultation) -> bool:
    return has_authority_role(user=user, authority_id=consultation.authority_id, roles=MODERATOR_ROLES)


def prepares_consultations(user: Any) -> bool:
    """An official of some authority: the office pages and the link to them are theirs."""
    return bool(user.is_authenticated) and authorities_where(user=user, roles=MANAGER_ROLES).exists()


def can_view(user: Any, consultation: Consultation) -> bool:
    return consultation.status in PUBLIC or can_manage(user, consultation)


def can_act_for(user: Any, cso: CivilSocietyOrganisation) -> bool:
    """The person is a representative (or administrator) of the CSO on the platform."""
    if not user.is_authenticated:
        return False
    return Membership.objects.filter(user=user, cso=cso, role__in=[r.value for r in CSO_ACTING_ROLES]).exists()


def proposer_refusal(user: Any) -> DomainError | None:
    """Res. 996: anonymous proposals are not considered, so the author is identified and named."""
    if not user.is_authenticated:
        return NotAllowed(
            _("Sign in to make a proposal: anonymous proposals are not considered."),
            code=ConsultationError.SIGN_IN_REQUIRED,
        )
    if not user.email_verified:
        return NotAllowed(
            _("Confirm your email address before making proposals."), code=ConsultationError.EMAIL_NOT_VERIFIED
        )
    if not user.full_name.strip():
        return ValidationFailed(
            _("Add your full name to your profile: anonymous proposals are not considered."),
            code=ConsultationError.AUTHOR_NAME_REQUIRED,
        )
    return None


def _manager(message: Any) -> Refusal[Consultation]:
    return who(can_manage, message, ConsultationError.NOT_OFFICIAL)


MODERATOR = who(
    can_moderate, _("Only a moderator of the authority may hide proposals."), ConsultationError.NOT_MODERATOR
)


def _moderatable(consultation: Consultation) -> bool:
    return consultation.status in MODERATABLE


def _deciding(consultation: Consultation) -> bool:
    return consultation.status == ConsultationStatus.CLOSED


STILL_MODERATABLE = when(
    _moderatable,
    _("Proposals can no longer be moderated: the report is published."),
    ConsultationError.CONSULTATION_NOT_MODERATABLE,
)
DECIDER = _manager(_("Only an official of the authority may decide on proposals."))
DECIDING = when(
    _deciding,
    _("Decisions are recorded after the deadline for proposals and before the report."),
    ConsultationError.CONSULTATION_CANNOT_DECIDE,
    error=InvalidTransition,
)

POLICY: Policy[ConsultationAction, Consultation] = Policy(
    {
        ConsultationAction.EDIT: rule(
            who=[_manager(_("Only an official of the authority may edit this consultation."))],
            when=[
                when(
                    lambda c: c.status == ConsultationStatus.DRAFT,
                    _("Only a draft consultation can be edited."),
                    ConsultationError.CONSULTATION_NOT_DRAFT,
                )
            ],
        ),
        ConsultationAction.OPEN: rule(
            who=[_manager(_("Only an official of the authority may open this consultation."))],
            when=[transition(CONSULTATION_MACHINE, "open")],
        ),
        ConsultationAction.PROPOSE: rule(
            who=[lambda user, _c: proposer_refusal(user)],
            when=[
                when(
                    lambda c: c.accepts_proposals,
                    _("This consultation is not accepting proposals."),
                    ConsultationError.CONSULTATION_NOT_OPEN,
                )
            ],
        ),
        ConsultationAction.HIDE_PROPOSALS: rule(who=[MODERATOR], when=[STILL_MODERATABLE]),
        ConsultationAction.DECIDE_PROPOSALS: rule(who=[DECIDER], when=[DECIDING]),
        ConsultationAction.PUBLISH_REPORT: rule(
            who=[_manager(_("Only an official of the authority may publish the report."))],
            when=[transition(CONSULTATION_MACHINE, "publish_report")],
        ),
    }
)


def _of_consultation(refusal: Refusal[Consultation]) -> Refusal[Proposal]:
    return lambda user, proposal: refusal(user, proposal.consultation)


PROPOSAL_POLICY: Policy[ProposalAction, Proposal] = Policy(
    {
        ProposalAction.HIDE: rule(
            who=[_of_consultation(MODERATOR)],
            when=[
                _of_consultation(STILL_MODERATABLE),
                transition(PROPOSAL_MACHINE, "hide"),
                when(
                    lambda p: not p.decision,
                    _("A decision is already recorded on this proposal."),
                    ConsultationError.PROPOSAL_ALREADY_DECIDED,
                    error=Conflict,
                ),
            ],
        ),
        ProposalAction.DECIDE: rule(
            who=[_of_consultation(DECIDER)],
            when=[
                _of_consultation(DECIDING),
                transition(PROPOSAL_MACHINE, "decide"),
            ],
        ),
    }
)


def consultation_actions(user: Any, consultation: Consultation) -> set[ConsultationAction]:
    """What `user` may do with `consultation` now; a page shows a button for each, the services check the same."""
    return POLICY.actions(user, consultation)


def consultation_check(
    user: Any, consultation: Consultation, action: ConsultationAction, *, who_only: bool = False
) -> None:
    """Raise the refusal that stops `action` (NotAllowed, InvalidTransition, …, with its code), if any."""
    POLICY.check(user, consultation, action, who_only=who_only)


def proposal_actions(user: Any, proposal: Proposal) -> set[ProposalAction]:
    return PROPOSAL_POLICY.actions(user, proposal)


def proposal_check(user: Any, proposal: Proposal, action: ProposalAction, *, who_only: bool = False) -> None:
    PROPOSAL_POLICY.check(user, proposal, action, who_only=who_only)
