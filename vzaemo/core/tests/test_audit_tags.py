"""The audit tag registry: one spelling per tag, and every audited admin screen names a registered tag."""

from __future__ import annotations

import re

import pytest
from django.contrib import admin

from vzaemo.core import audit_tags
from vzaemo.core.admin.audited import AuditedModelAdmin
from vzaemo.core.audit_tags import AuditTag


def test_no_two_members_share_a_value() -> None:
    # A StrEnum silently turns a repeated value into an alias of the first member.
    assert len(AuditTag.__members__) == len(list(AuditTag))


@pytest.mark.parametrize("tag", list(AuditTag), ids=str)
def test_a_tag_is_entity_colon_verb_and_its_name_spells_it(tag: AuditTag) -> None:
    assert re.fullmatch(r"[a-z]+(-[a-z]+)*(:[a-z]+(-[a-z]+)*)+", tag.value)
    assert tag.name == tag.value.replace(":", "_").replace("-", "_").upper()


def test_an_inline_tag_is_the_parents_with_inline() -> None:
    assert audit_tags.inline(AuditTag.ACCOUNT_AUTHORITY_CHANGE) == "account:authority:change:inline"
    with pytest.raises(ValueError, match="inline"):
        audit_tags.inline(AuditTag.PETITION_SIGN)


def test_every_audited_admin_screen_names_a_registered_tag() -> None:
    audited = [
        model_admin for model_admin in admin.site._registry.values() if isinstance(model_admin, AuditedModelAdmin)
    ]
    assert audited
    for model_admin in audited:
        # Without a tag the first save fails; an unregistered one is a tag missing from the registry.
        tag = getattr(model_admin, "audit_tag", None)
        assert tag in set(AuditTag), f"{type(model_admin).__name__}.audit_tag = {tag!r}"
        if model_admin.inlines:
            audit_tags.inline(AuditTag(tag))


def test_every_tag_has_words_for_the_public_pages() -> None:
    assert set(audit_tags.LABELS) == set(AuditTag)
