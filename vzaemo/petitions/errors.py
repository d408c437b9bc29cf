"""The stable codes of petitions' refusals: clients and tests match on the code, people read the message."""

from __future__ import annotations

from enum import StrEnum


class PetitionError(StrEnum):
    ALREADY_SIGNED = "already_signed"
    ANSWER_TOO_SHORT = "answer_too_short"
    AUTHOR_NAME_REQUIRED = "author_name_required"
    AUTHORITY_NOT_PETITIONABLE = "authority_not_petitionable"
    DECISION_INVALID = "decision_invalid"
    EMAIL_NOT_VERIFIED = "email_not_verified"
    ESSENCE_REQUIRED = "essence_required"
    ESSENCE_TOO_LONG = "essence_too_long"
    NOT_AUTHOR = "not_author"
    NOT_MODERATOR = "not_moderator"
    NOT_OFFICIAL = "not_official"
    PETITION_NOT_COLLECTING = "petition_not_collecting"
    PETITION_NOT_DRAFT = "petition_not_draft"
    PETITION_NOT_FOUND = "petition_not_found"
    REJECTION_REASON_INVALID = "rejection_reason_invalid"
    SIGN_IN_REQUIRED = "sign_in_required"
    TITLE_REQUIRED = "title_required"
    TITLE_TOO_LONG = "title_too_long"
