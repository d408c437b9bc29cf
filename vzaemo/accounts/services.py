"""Every write to accounts and organisations."""

from __future__ import annotations

from django.db import transaction

from vzaemo.accounts.models import Authority, CivilSocietyOrganisation, Membership, Role, User
from vzaemo.core import audit
from vzaemo.core.audit_tags import AuditTag


@transaction.atomic
def user_sign_up_complete(*, user: User, full_name: str) -> User:
    """Store the full name a person gave at sign-up (signer lists show it, as the law requires), on the record."""
    before = {"full_name": user.full_name}
    user.full_name = full_name
    user.save(update_fields=["full_name"])
    audit.record(actor=user, subject=user, tag=AuditTag.ACCOUNT_SIGN_UP, before=before, after={"full_name": full_name})
    return user


@transaction.atomic
def user_mark_email_verified(*, user: User, email: str) -> None:
    if user.email.lower() != email.lower() or user.email_verified:
        return
    User.objects.filter(pk=user.pk).update(email_verified=True)
    user.email_verified = True
    audit.record(
        actor=user,
        subject=user,
        tag=AuditTag.ACCOUNT_EMAIL_VERIFIED,
        before={"email_verified": False},
        after={"email_verified": True},
    )


@transaction.atomic
def membership_grant(
    *,
    actor: User | None,
    user: User,
    role: Role,
    authority: Authority | None = None,
    cso: CivilSocietyOrganisation | None = None,
) -> Membership:
    membership, created = Membership.objects.get_or_create(user=user, authority=authority, cso=cso, role=role)
    if created:
        audit.record(
            actor=actor,
            subject=membership,
            tag=AuditTag.ACCOUNT_MEMBERSHIP_GRANT,
            before=None,
            after={"user": user.pk, "role": role.value, "authority": authority and authority.pk, "cso": cso and cso.pk},
        )
    return membership
