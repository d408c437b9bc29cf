"""The document service over HTTP (Django's test client)."""

from __future__ import annotations

import datetime as dt
import hashlib
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from vzaemo.core.testing import Unchanged
from vzaemo.documents import links, services
from vzaemo.documents.models import Document
from vzaemo.documents.tests.conftest import CONTENT, SHA, register, uploaded

if TYPE_CHECKING:
    from django.test.client import _MonkeyPatchedWSGIResponse as ClientResponse

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def urlconf(settings: Any) -> None:
    settings.ROOT_URLCONF = "vzaemo.web.documents.tests.urls"


def path_of(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.path}?{parts.query}"


def error_code(response: ClientResponse) -> str:
    code: str = response.json()["errors"][0]["code"]
    return code


def test_the_urlconf_serves_the_paths_links_builds() -> None:
    document_id = "9b2f0b1e-8a0e-4c1e-9d55-0d7f7b3c2a10"
    assert reverse("document_permanent", args=[document_id]) == links.PATH_PREFIX + document_id


def test_permanent_url_redirects_to_a_download_that_streams_the_file(client: Client) -> None:
    document = uploaded(title='Протокол "торгів"')

    redirect = client.get(path_of(services.document_permanent_url(document)))
    assert redirect.status_code == 302
    assert redirect["Cache-Control"] == "no-store"
    assert redirect["Location"].startswith(f"/documents/{document.pk}/download?expires=")

    download = client.get(redirect["Location"])
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == CONTENT  # type: ignore[attr-defined]
    assert download["Content-Type"] == "application/pdf"
    assert download["Content-Length"] == str(len(CONTENT))
    assert download["Content-Disposition"].startswith("attachment; filename*=utf-8''")
    assert download["Content-Disposition"].endswith(".pdf")
    assert download["X-Content-Type-Options"] == "nosniff"
    assert download["ETag"] == f'"{SHA}"'


def test_a_tampered_permanent_url_is_refused(client: Client) -> None:
    document = uploaded()
    url = path_of(services.document_permanent_url(document))

    response = client.get(url.replace("Signature=", "Signature=A"))
    assert response.status_code == 403
    assert error_code(response) == "document_signature_invalid"
    assert client.get(url.replace(str(document.pk), "9b2f0b1e-8a0e-4c1e-9d55-0d7f7b3c2a10")).status_code == 404
    assert client.post(url).status_code == 405


def test_an_expired_download_link_is_gone(client: Client, frozen: time_machine.Traveller) -> None:
    document = uploaded()
    link = services.document_download_url(document)
    frozen.shift(dt.timedelta(seconds=300))

    response = client.get(link)
    assert response.status_code == 410
    assert error_code(response) == "link_expired"
    # The permanent URL gives a fresh link.
    fresh = client.get(path_of(services.document_permanent_url(document)))
    assert client.get(fresh["Location"]).status_code == 200


def test_a_tampered_download_link_is_refused(client: Client) -> None:
    document = uploaded()
    link = services.document_download_url(document)
    expires = link.split("expires=")[1].split("&")[0]

    response = client.get(link.replace(f"expires={expires}", f"expires={int(expires) + 86400}"))
    assert response.status_code == 403
    assert error_code(response) == "link_invalid"


def test_a_missing_file_is_a_404_not_a_crash(client: Client) -> None:
    document = uploaded()
    from vzaemo.documents import storage

    storage.path_of(document.storage_name).unlink()
    response = client.get(services.document_download_url(document))
    assert response.status_code == 404
    assert error_code(response) == "document_file_missing"


def test_upload_through_the_link(client: Client) -> None:
    registration = register()

    response = client.post(registration.upload_url, {"file": SimpleUploadedFile("p.pdf", CONTENT)})

    assert response.status_code == 201
    data = response.json()["data"]
    assert data["id"] == str(registration.document.pk)
    assert (data["hash"], data["size"]) == (f"sha256:{SHA}", len(CONTENT))
    assert client.get(path_of(data["url"])).status_code == 302
    assert Document.objects.get().is_uploaded


def test_upload_refusals_change_nothing(client: Client, unchanged: Unchanged, settings: Any) -> None:
    registration = register()
    link = registration.upload_url

    with unchanged():
        wrong = client.post(link, {"file": SimpleUploadedFile("p.pdf", CONTENT + b"x")})
        missing = client.post(link, {})
        forged = client.post(link.replace("sig=", "sig=A"), {"file": SimpleUploadedFile("p.pdf", CONTENT)})
        settings.VZAEMO_DOCUMENT_MAX_BYTES = 10
        too_big = client.post(link, {"file": SimpleUploadedFile("p.pdf", CONTENT)})
    assert (wrong.status_code, error_code(wrong)) == (422, "document_hash_mismatch")
    assert (missing.status_code, error_code(missing)) == (400, "file_required")
    assert (forged.status_code, error_code(forged)) == (403, "link_invalid")
    assert (too_big.status_code, error_code(too_big)) == (413, "document_too_large")


def test_a_second_upload_through_the_link_is_a_conflict(client: Client, unchanged: Unchanged) -> None:
    registration = register()
    client.post(registration.upload_url, {"file": SimpleUploadedFile("p.pdf", CONTENT)})
    with unchanged():
        again = client.post(registration.upload_url, {"file": SimpleUploadedFile("p.pdf", CONTENT)})
    assert (again.status_code, error_code(again)) == (409, "document_already_uploaded")


def test_a_document_served_as_html_is_still_an_attachment(client: Client) -> None:
    content = b"<script>alert(1)</script>"
    document = uploaded(content, format="text/html", title="page")
    response = client.get(services.document_download_url(document))
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert hashlib.sha256(b"".join(response.streaming_content)).hexdigest() == document.sha256  # type: ignore[attr-defined]
