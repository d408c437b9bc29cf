"""Who may do what with an appeal. Roles are held at the appeal's (current) authority.

Appeals are private: the applicant, members of the addressed authority and superusers see one;
for anyone else it does not exist (the pages answer 404, not 403).
"""

from __future__ import annotations

from typing import Any

from vzaemo.accounts.models import AUTHORITY_ROLES, Role
from vzaemo.accounts.selectors import has_authority_role
from vzaemo.appeals.models import Appeal

# The registry office: registers, chooses the term, forwards to the competent body.
REGISTRY_ROLES = {Role.MODERATOR, Role.OFFICIAL, Role.ADMIN}
# Those who prepare and sign the answer.
ANSWER_ROLES = {Role.RESPONDER, Role.OFFICIAL, Role.ADMIN}
# The head (or the official acting for the head) sets an extended term (art. 20).
HEAD_ROLES = {Role.OFFICIAL, Role.ADMIN}
STAFF_ROLES = set(AUTHORITY_ROLES)


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
