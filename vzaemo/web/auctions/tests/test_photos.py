"""Lot photos on the public pages: the gallery with text alternatives in the reader's language, the first photo
on each card of the list, and the photo files served to everyone only while the lot is public."""

from __future__ import annotations

import io
import re
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from PIL import Image

from vzaemo.accounts.tests.factories import UserFactory
from vzaemo.auctions import services
from vzaemo.auctions.models import LotPhoto
from vzaemo.auctions.tests import factories as f
from vzaemo.documents.models import Document
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


# --- the upload page --------------------------------------------------------------------------------------


def _form(client: Client, lot_id: int) -> str:
    page = client.get(reverse("web:auction_lot_photo_add", args=[lot_id]), HTTP_ACCEPT_LANGUAGE="en")
    assert page.status_code == 200
    found = re.search(r'name="idempotency_key" value="([^"]+)"', page.content.decode())
    assert found is not None
    return found.group(1)


def _post(client: Client, lot_id: int, content: bytes, key: str, **fields: str) -> Any:
    upload = SimpleUploadedFile("photo.jpg", content, content_type="image/jpeg")
    data = {"photo": upload, "alt_uk": "Фасад", "alt_en": "Facade", "idempotency_key": key, **fields}
    return client.post(reverse("web:auction_lot_photo_add", args=[lot_id]), data, HTTP_ACCEPT_LANGUAGE="en")


def test_the_organisers_official_adds_a_photo_through_the_page_once_even_if_sent_twice() -> None:
    w = f.world()
    auction = f.auction(w)
    client = Client()
    client.force_login(w.official)
    lot_page = client.get(reverse("web:auction_lot_detail", args=[auction.lot_id]), HTTP_ACCEPT_LANGUAGE="en")
    assert reverse("web:auction_lot_photo_add", args=[auction.lot_id]) in lot_page.content.decode()
    key = _form(client, auction.lot_id)
    first = _post(client, auction.lot_id, picture(), key)
    assert first.status_code == 303
    assert first["Location"] == reverse("web:auction_lot_detail", args=[auction.lot_id])
    assert _post(client, auction.lot_id, picture(), key).status_code == 303  # a resend adds nothing
    assert [p.alt_en for p in LotPhoto.objects.filter(lot_id=auction.lot_id)] == ["Facade"]


@pytest.mark.parametrize(
    ("content", "fields", "message"),
    [
        (b"%PDF-1.7 not a photo", {}, "The file is not a JPEG, PNG or WebP image, or it is damaged."),
        (picture(), {"alt_en": ""}, "This field is required."),
    ],
)
def test_a_bad_upload_is_refused_on_the_page_and_stores_nothing(
    content: bytes, fields: dict[str, str], message: str
) -> None:
    w = f.world()
    auction = f.auction(w)
    client = Client()
    client.force_login(w.official)
    key = _form(client, auction.lot_id)
    before = Document.objects.count()
    response = _post(client, auction.lot_id, content, key, **fields)
    assert response.status_code == 422
    assert message in response.content.decode()
    assert not LotPhoto.objects.exists()
    assert Document.objects.count() == before


def test_only_the_organiser_may_open_the_upload_page() -> None:
    w = f.world()
    auction = f.auction(w)
    path = reverse("web:auction_lot_photo_add", args=[auction.lot_id])
    assert Client().get(path).status_code == 302  # to sign in
    stranger = Client()
    stranger.force_login(UserFactory())
    assert stranger.get(path).status_code == 403
    lot_page = stranger.get(reverse("web:auction_lot_detail", args=[auction.lot_id])).content.decode()
    assert path not in lot_page
