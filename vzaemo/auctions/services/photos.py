"""Photos of lots: an image gallery kept in the document service (ADR 0007, ADR 0023).

A photo is not part of the CDB document brokers synchronise (no revision, no feed entry): it illustrates
the lot on the public pages. The image is checked by its content, re-encoded without metadata and
thumbnailed once, before anything is written (`documents.services.image_store`).
"""

from __future__ import annotations

from typing import Any, BinaryIO

from django.conf import settings
from django.core.files import File
from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext as _

from vzaemo.auctions import permissions
from vzaemo.auctions.errors import AuctionError
from vzaemo.auctions.models import Lot, LotPhoto
from vzaemo.auctions.permissions import LotAction
from vzaemo.core import audit, clock, idempotency
from vzaemo.core.audit_tags import AuditTag
from vzaemo.core.errors import Conflict, NotFound, ValidationFailed
from vzaemo.documents import services as documents

ALT_MAX = 300
DEFAULT_MAX_PHOTOS = 20


def max_photos() -> int:
    """`VZAEMO_LOT_MAX_PHOTOS`: how many photos one lot may have."""
    return int(getattr(settings, "VZAEMO_LOT_MAX_PHOTOS", DEFAULT_MAX_PHOTOS))


def _alt(value: str, *, field: str) -> str:
    text = " ".join((value or "").split())
    if not text:
        raise ValidationFailed(
            _("Describe the photo for people who cannot see it, in Ukrainian and in English."),
            code=AuctionError.PHOTO_ALT_REQUIRED,
            field=field,
        )
    if len(text) > ALT_MAX or not text.isprintable():
        raise ValidationFailed(
            _("The description is longer than %(n)d characters.") % {"n": ALT_MAX},
            code=AuctionError.PHOTO_ALT_TOO_LONG,
            field=field,
        )
    return text


@transaction.atomic
def lot_photo_add(
    *,
    actor: Any,
    lot_id: int,
    file: File[bytes] | BinaryIO,
    alt_uk: str,
    alt_en: str,
    idempotency_key: str | None = None,
) -> LotPhoto:
    """Add a photo at the end of the lot's gallery. A repeat with the same `idempotency_key` returns the first
    photo and stores nothing."""
    lot = Lot.objects.select_for_update().filter(pk=lot_id).first()
    if lot is None:
        raise NotFound(_("There is no such lot."), code=AuctionError.LOT_NOT_FOUND)
    permissions.lot_check(actor, lot, LotAction.ADD_PHOTO)
    claim = idempotency.claim(scope=AuditTag.AUCTION_LOT_PHOTO_ADD, key=idempotency_key, actor=actor, model=LotPhoto)
    if claim.first is not None:
        return claim.first
    alt_uk, alt_en = _alt(alt_uk, field="alt_uk"), _alt(alt_en, field="alt_en")
    last = lot.photos.aggregate(last=Max("position"))["last"] or 0
    if lot.photos.count() >= max_photos():
        raise Conflict(
            _("A lot may have at most %(n)d photos.") % {"n": max_photos()}, code=AuctionError.PHOTO_LIMIT_REACHED
        )
    stored = documents.image_store(
        file=file,
        title=f"lot-{lot.pk}-photo-{last + 1}",
        owner_type="auction-lot",
        owner_id=str(lot.pk),
        mode=lot.mode,
        actor=actor,
    )
    photo = LotPhoto.objects.create(
        lot=lot,
        position=last + 1,
        image=stored.image,
        thumbnail=stored.thumbnail,
        width=stored.width,
        height=stored.height,
        thumbnail_width=stored.thumbnail_width,
        thumbnail_height=stored.thumbnail_height,
        alt_uk=alt_uk,
        alt_en=alt_en,
        added_at=clock.now(),
    )
    audit.record(
        actor=actor,
        subject=lot,
        tag=AuditTag.AUCTION_LOT_PHOTO_ADD,
        before=None,
        after={
            "position": photo.position,
            "image": str(stored.image.pk),
            "sha256": stored.image.sha256,
            "thumbnail": str(stored.thumbnail.pk),
            "alt_uk": alt_uk,
            "alt_en": alt_en,
        },
    )
    return claim.settle(photo)
