"""Lot photos on the public pages: the gallery with text alternatives in the reader's language, the first photo
on each card of the list, and the photo files served to everyone only while the lot is public."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from PIL import Image

from vzaemo.auctions import services
from vzaemo.auctions.models import LotPhoto
from vzaemo.auctions.tests import factories as f
from vzaemo.documents.tests.pictures import picture

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def documents_root(settings: Any, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = str(tmp_path / "media")
    settings.VZAEMO_IMAGE_THUMBNAIL_EDGE = 32


def photographed(w: f.World, lot_id: int) -> list[LotPhoto]:
    return [
        services.lot_photo_add(
            actor=w.official, lot_id=lot_id, file=io.BytesIO(picture("JPEG", (80, 60))), alt_uk="Фасад", alt_en="Facade"
        ),
        services.lot_photo_add(
            actor=w.official, lot_id=lot_id, file=io.BytesIO(picture("PNG", (60, 80))), alt_uk="Двір", alt_en="Yard"
        ),
    ]


def test_the_lot_and_auction_pages_show_the_gallery_in_the_readers_language() -> None:
    w = f.world()
    auction = f.auction(w)
    first, _second = photographed(w, auction.lot_id)
    thumbnail = reverse("web:auction_lot_photo_thumbnail", args=[auction.lot_id, first.pk])
    full = reverse("web:auction_lot_photo", args=[auction.lot_id, first.pk])
    for page in (
        reverse("web:auction_lot_detail", args=[auction.lot_id]),
        reverse("web:auction_detail", args=[auction.pk]),
    ):
        english = Client().get(page, HTTP_ACCEPT_LANGUAGE="en").content.decode()
        assert f'<a href="{full}"><img src="{thumbnail}" alt="Facade" width="32" height="24" loading="lazy"' in english
        assert 'alt="Yard" width="24" height="32"' in english
        ukrainian = Client().get(page, HTTP_ACCEPT_LANGUAGE="uk").content.decode()
        assert 'alt="Фасад"' in ukrainian
        assert 'alt="Facade"' not in ukrainian


def test_each_card_of_the_list_shows_its_lots_first_photo_only() -> None:
    w = f.world()
    with_photos = f.auction(w)
    first, second = photographed(w, with_photos.lot_id)
    f.auction(w)  # a lot without photos: its card has no image
    page = Client().get(reverse("web:auction_list"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert reverse("web:auction_lot_photo_thumbnail", args=[with_photos.lot_id, first.pk]) in page
    assert reverse("web:auction_lot_photo_thumbnail", args=[with_photos.lot_id, second.pk]) not in page
    assert page.count('class="auc-card-photo"') == 1
    assert 'loading="lazy"' in page


def test_a_photo_is_served_inline_and_cached_for_a_year() -> None:
    w = f.world()
    auction = f.auction(w)
    first, _ = photographed(w, auction.lot_id)
    response = Client().get(reverse("web:auction_lot_photo_thumbnail", args=[auction.lot_id, first.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "image/jpeg"
    assert "attachment" not in response.get("Content-Disposition", "")
    assert response["Cache-Control"] == "public, max-age=31536000, immutable"
    assert response["ETag"] == f'"{first.thumbnail.sha256}"'
    image = Image.open(io.BytesIO(b"".join(response.streaming_content)))  # type: ignore[attr-defined]
    assert image.size == (32, 24)
    again = Client().get(
        reverse("web:auction_lot_photo", args=[auction.lot_id, first.pk]), HTTP_IF_NONE_MATCH=f'"{first.image.sha256}"'
    )
    assert again.status_code == 304


def test_photos_of_a_lot_not_yet_public_are_not_found() -> None:
    w = f.world()
    draft = f.auction(w, publish=False)
    (first, _) = photographed(w, draft.lot_id)
    assert Client().get(reverse("web:auction_lot_photo", args=[draft.lot_id, first.pk])).status_code == 404
    public = f.auction(w)
    # A photo asked for under another lot's address is not found either.
    assert Client().get(reverse("web:auction_lot_photo", args=[public.lot_id, first.pk])).status_code == 404
