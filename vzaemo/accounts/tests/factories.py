"""The people and organisations every app's tests need: citizens, authorities, CSOs and memberships.

An app's own factories specialise these (a police unit, a ministry) rather than copy them.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import factory
from factory.django import DjangoModelFactory

from vzaemo.accounts.models import (
    Authority,
    AuthorityKind,
    CivilSocietyOrganisation,
    LegalForm,
    Membership,
    Role,
    User,
)


class UserFactory(DjangoModelFactory):
    """A citizen with a confirmed email address (no password: tests log in with force_login)."""

    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"person{n}@example.test")
    full_name = factory.Sequence(lambda n: f"Громадянин Тестовий {n}")
    email_verified = True

    @classmethod
    def _create(cls, model_class: type[User], *args: Any, **kwargs: Any) -> User:
        # create_user with no password sets an unusable one: no slow hashing in tests.
        return model_class.objects.create_user(*args, **kwargs)


class UnverifiedUserFactory(UserFactory):
    email_verified = False


class AuthorityFactory(DjangoModelFactory):
    """A local self-government body that accepts e-petitions."""

    class Meta:
        model = Authority

    slug = factory.Sequence(lambda n: f"hromada-{n}")
    name_uk = factory.Sequence(lambda n: f"Міська рада № {n}")
    name_en = factory.Sequence(lambda n: f"City council No. {n}")
    kind = AuthorityKind.LOCAL_SELF_GOVERNMENT
    edrpou = factory.Sequence(lambda n: f"{40_000_000 + n:08d}")
    email = factory.Sequence(lambda n: f"council{n}@rada.example.test")
    accepts_petitions = True
    is_active = True


class CsoFactory(DjangoModelFactory):
    class Meta:
        model = CivilSocietyOrganisation

    slug = factory.Sequence(lambda n: f"cso-{n}")
    name = factory.Sequence(lambda n: f"ГО «Громада {n}»")
    edrpou = factory.Sequence(lambda n: f"{50_000_000 + n:08d}")
    legal_form = LegalForm.PUBLIC_ORGANISATION
    registered_on = dt.date(2015, 1, 1)
    email = factory.Sequence(lambda n: f"cso{n}@example.test")


class MembershipFactory(DjangoModelFactory):
    """A role at an authority (the default) or, with `authority=None, cso=...`, at a CSO."""

    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    authority = factory.SubFactory(AuthorityFactory)
    role = Role.MODERATOR


def member_of(authority: Authority, role: Role) -> User:
    """A new person holding `role` at `authority`."""
    membership: Membership = MembershipFactory(authority=authority, role=role)
    return membership.user


def representative_of(cso: CivilSocietyOrganisation) -> User:
    membership: Membership = MembershipFactory(authority=None, cso=cso, role=Role.REPRESENTATIVE)
    return membership.user
