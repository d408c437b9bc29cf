"""Who may do what with a consultation. Roles are held at the consultation's authority (or the CSO)."""

from __future__ import annotations

from typing import Any

from vzaemo.accounts.models import CivilSocietyOrganisation, Membership, Role
from vzaemo.accounts.selectors import has_authority_role
from vzaemo.consultations.models import Consultation
from vzaemo.consultations.states import PUBLIC

# Officials prepare the draft, open it, decide on proposals and publish the report.
MANAGER_ROLES = {Role.OFFICIAL, Role.ADMIN}
# Hiding forbidden content: the authority's moderators, and the officials who run the consultation.
MODERATOR_ROLES = {Role.MODERATOR, Role.OFFICIAL, Role.ADMIN}
CSO_ACTING_ROLES = {Role.REPRESENTATIVE, Role.ADMIN}


def can_manage_at(user: Any, authority_id: int) -> bool:
    return has_authority_role(user=user, authority_id=authority_id, roles=MANAGER_ROLES)


def can_manage(user: Any, consultation: Consultation) -> bool:
    return can_manage_at(user, consultation.authority_id)


def can_moderate(user: Any, consultation: Consultation) -> bool:
    return has_authority_role(user=user, authority_id=consultation.authority_id, roles=MODERATOR_ROLES)


def can_view(user: Any, consultation: Consultation) -> bool:
    return consultation.status in PUBLIC or can_manage(user, consultation)


def can_act_for(user: Any, cso: CivilSocietyOrganisation) -> bool:
    """The person is a representative (or administrator) of the CSO on the platform."""
    if not user.is_authenticated:
        return False
    return Membership.objects.filter(user=user, cso=cso, role__in=[r.value for r in CSO_ACTING_ROLES]).exists()
