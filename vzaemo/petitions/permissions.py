"""Who may do what with a petition. Roles are held at the petition's authority."""

from __future__ import annotations

from typing import Any

from vzaemo.accounts.models import Role
from vzaemo.accounts.selectors import has_authority_role
from vzaemo.petitions.models import Petition
from vzaemo.petitions.states import PUBLIC

MODERATOR_ROLES = {Role.MODERATOR, Role.ADMIN}
ANSWER_ROLES = {Role.RESPONDER, Role.OFFICIAL, Role.ADMIN}
STAFF_ROLES = MODERATOR_ROLES | ANSWER_ROLES


def can_moderate(user: Any, petition: Petition) -> bool:
    return has_authority_role(user=user, authority_id=petition.authority_id, roles=MODERATOR_ROLES)


def can_answer(user: Any, petition: Petition) -> bool:
    return has_authority_role(user=user, authority_id=petition.authority_id, roles=ANSWER_ROLES)


def can_view(user: Any, petition: Petition) -> bool:
    if petition.status in PUBLIC:
        return True
    if not user.is_authenticated:
        return False
    if petition.author_id == user.pk:
        return True
    return has_authority_role(user=user, authority_id=petition.authority_id, roles=STAFF_ROLES)
