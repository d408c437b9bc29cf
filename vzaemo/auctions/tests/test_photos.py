"""Lot photos through `lot_photo_add`: who may add them, the text alternatives, the limit, and bad images."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pytest

from vzaemo.accounts.tests.factories import UserFactory
from vzaemo.auctions import services
from vzaemo.auctions.errors import AuctionError
from vzaemo.auctions.models import LotPhoto
from vzaemo.auctions.tests import factories as f
from vzaemo.core.audit_tags import AuditTag
from vzaemo.core.errors import Conflict, NotAllowed, ValidationFailed
from vzaemo.core.models import AuditEntry
from vzaemo.core.testing import Refused
from vzaemo.documents.errors import DocumentError
from vzaemo.documents.models import Document
from vzaemo.documents.tests.pictures import picture

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def documents_root(settings: Any, tmp_path: Path) -> Path:
    settings.MEDIA_ROOT = str(tmp_path / "media")
    return tmp_path / "media"


def add(actor: Any, lot_id: int, content: bytes | None = None, **overrides: Any) -> LotPhoto:
    data = {"alt_uk": "Автонавантажувач, вигляд спереду", "alt_en": "The forklift, front view", **overrides}
    return services.lot_photo_add(actor=actor, lot_id=lot_id, file=io.BytesIO(content or picture()), **data)


def test_the_organisers_official_and_the_owner_broker_add_photos_in_order() -> None:
    w = f.world()
    lot = f.lot(w)
    first = add(w.official, lot.pk)
    second = add(w.owner, lot.pk, picture("PNG"), alt_uk="Табличка", alt_en="The nameplate")
    assert [(p.position, p.alt_en) for p in lot.photos.all()] == [(1, "The forklift, front view"), (2, "The nameplate")]
    assert (first.width, first.height, first.image.format, first.thumbnail.owner_type) == (
        64,
        48,
        "image/jpeg",
        "auction-lot",
    )
    assert second.image.format == "image/png"
    entry = AuditEntry.objects.filter(tag=AuditTag.AUCTION_LOT_PHOTO_ADD).first()
    assert entry is not None
    assert entry.after is not None
    assert entry.after["alt_uk"] == "Автонавантажувач, вигляд спереду"


def test_a_stranger_may_not_add_a_photo(refused: Refused) -> None:
    w = f.world()
    lot = f.lot(w)
    stranger = UserFactory()
    refused(NotAllowed, AuctionError.NOT_ORGANISER, lambda: add(stranger, lot.pk))
    refused(NotAllowed, AuctionError.NOT_ORGANISER, lambda: add(w.bidders[0], lot.pk))


@pytest.mark.parametrize(
    ("overrides", "code"),
    [
        ({"alt_uk": "  "}, AuctionError.PHOTO_ALT_REQUIRED),
        ({"alt_en": ""}, AuctionError.PHOTO_ALT_REQUIRED),
        ({"alt_en": "x" * 301}, AuctionError.PHOTO_ALT_TOO_LONG),
    ],
)
def test_both_text_alternatives_are_required(refused: Refused, overrides: dict[str, Any], code: str) -> None:
    w = f.world()
    lot = f.lot(w)
    refused(ValidationFailed, code, lambda: add(w.official, lot.pk, **overrides))


def test_a_bad_image_adds_no_photo_and_no_document(refused: Refused, documents_root: Path) -> None:
    w = f.world()
    lot = f.lot(w)
    refused(ValidationFailed, DocumentError.IMAGE_INVALID, lambda: add(w.official, lot.pk, b"GIF89a not really"))
    assert not LotPhoto.objects.exists()
    assert not Document.objects.exists()
    assert not [p for p in documents_root.rglob("*") if p.is_file()]


def test_a_lot_has_at_most_the_configured_number_of_photos(settings: Any, refused: Refused) -> None:
    settings.VZAEMO_LOT_MAX_PHOTOS = 1
    w = f.world()
    lot = f.lot(w)
    add(w.official, lot.pk)
    refused(Conflict, AuctionError.PHOTO_LIMIT_REACHED, lambda: add(w.official, lot.pk))
