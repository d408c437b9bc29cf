from __future__ import annotations

from django.db.models import QuerySet

from vzaemo.accounts.models import Authority, Membership, Role, User


def authorities_where(*, user: User, roles: set[Role]) -> QuerySet[Authority]:
    """Authorities at which `user` holds one of `roles`."""
    if not user.is_authenticated:
        return Authority.objects.none()
    return Authority.objects.filter(memberships__user=user, memberships__role__in=[r.value for r in roles]).distinct()


def has_authority_role(*, user: User, authority_id: int, roles: set[Role]) -> bool:
    if not user.is_authenticated:
        return False
    return Membership.objects.filter(user=user, authority_id=authority_id, role__in=[r.value for r in roles]).exists()
