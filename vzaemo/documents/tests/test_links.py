"""Signed URLs: the permanent URL verifies with any key of the ring and nothing else; every part of every
URL is covered by its signature; links expire on core.clock's time."""

from __future__ import annotations

import base64
import datetime as dt
import uuid
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
import time_machine
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from django.core.files.base import ContentFile

from vzaemo.core import signing
from vzaemo.core.errors import DomainError
from vzaemo.documents import links, selectors, services
from vzaemo.documents.models import Document, DocumentMode
from vzaemo.documents.tests.conftest import CONTENT, SHA, register, uploaded

pytestmark = pytest.mark.django_db


def code_of(url: str, **expect: Any) -> str:
    with pytest.raises(DomainError) as caught:
        selectors.document_verify_url(url, **expect)
    return caught.value.code


def query_of(url: str) -> dict[str, str]:
    return {key: values[0] for key, values in parse_qs(urlsplit(url).query).items()}


def flip(text: str) -> str:
    """`text` with its first character changed (still base64url/hex)."""
    return ("B" if text[0] != "B" else "C") + text[1:]


def test_the_permanent_url_has_the_documented_shape_and_verifies() -> None:
    document = uploaded()
    url = services.document_permanent_url(document)

    parts = urlsplit(url)
    assert (parts.scheme, parts.netloc, parts.path) == ("https", "vzaemo.example", f"/documents/{document.pk}")
    query = query_of(url)
    assert set(query) == {"KeyID", "Signature"}
    assert query["KeyID"] == signing.current_key_id()
    raw = base64.urlsafe_b64decode(query["Signature"] + "==")
    signing.private_key().public_key().verify(raw, f"vzaemo-document\n{document.pk}\n{SHA}".encode())
    assert selectors.document_verify_url(url) == document
    # The path alone (what the HTTP view sees) verifies too.
    assert selectors.document_verify_url(f"{parts.path}?{parts.query}") == document


def test_the_url_given_at_registration_is_refused_until_the_file_is_uploaded() -> None:
    registration = register()
    assert code_of(registration.url) == "document_not_uploaded"
    services.document_upload(document_id=registration.document.pk, file=ContentFile(CONTENT))
    assert selectors.document_verify_url(registration.url) == registration.document


def _tamper(url: str, other: Document) -> dict[str, str]:
    parts = urlsplit(url)
    query = query_of(url)
    kid, sig = query["KeyID"], query["Signature"]
    base = f"{parts.scheme}://{parts.netloc}{parts.path}"
    return {
        "another document's id": url.replace(parts.path, f"/documents/{other.pk}"),
        "an unknown id": url.replace(parts.path, f"/documents/{uuid.uuid4()}"),
        "the id in capitals": url.replace(parts.path, parts.path.upper().replace("/DOCUMENTS/", "/documents/")),
        "another key id": f"{base}?KeyID={flip(kid)}&Signature={sig}",
        "another signature": f"{base}?KeyID={kid}&Signature={flip(sig)}",
        "a truncated signature": f"{base}?KeyID={kid}&Signature={sig[:-4]}",
        "a padded signature": f"{base}?KeyID={kid}&Signature={sig}==",
        "no signature": f"{base}?KeyID={kid}",
        "no key id": f"{base}?Signature={sig}",
        "a repeated parameter": f"{url}&KeyID={kid}",
        "an extra parameter": f"{url}&hash=sha256:{SHA}",
        "another host": url.replace("vzaemo.example", "evil.example"),
        "another scheme": url.replace("https://", "http://"),
        "another path": url.replace("/documents/", "/documents/x/"),
        "a fragment": f"{url}#top",
        "not a URL at all": "http://[::1",
    }


EXPECTED = {
    "another document's id": "document_signature_invalid",
    "an unknown id": "document_not_found",
    "the id in capitals": "document_url_foreign",
    "another key id": "document_key_unknown",
    "another signature": "document_signature_invalid",
    "a truncated signature": "document_signature_invalid",
    "a padded signature": "document_signature_invalid",
    "no signature": "document_url_invalid",
    "no key id": "document_url_invalid",
    "a repeated parameter": "document_url_invalid",
    "an extra parameter": "document_url_invalid",
    "another host": "document_url_foreign",
    "another scheme": "document_url_foreign",
    "another path": "document_url_foreign",
    "a fragment": "document_url_foreign",
    "not a URL at all": "document_url_foreign",
}


@pytest.mark.parametrize("how", sorted(EXPECTED))
def test_every_part_of_the_permanent_url_is_checked(how: str) -> None:
    document = uploaded()
    other = uploaded(b"another file")
    url = services.document_permanent_url(document)
    assert code_of(_tamper(url, other)[how]) == EXPECTED[how]


def test_a_signature_over_another_hash_does_not_verify() -> None:
    """A URL signed for the same id with a different hash (a substituted file) is refused."""
    document = uploaded()
    forged = links.permanent_url(document.pk, "0" * 64)
    assert code_of(forged) == "document_signature_invalid"


def test_a_key_outside_the_ring_cannot_sign_urls() -> None:
    document = uploaded()
    rogue = Ed25519PrivateKey.generate()
    raw = rogue.sign(links.permanent_message(document.pk, document.sha256))
    as_rogue = f"/documents/{document.pk}?KeyID={signing.key_id_of(rogue.public_key())}&Signature={links.b64url(raw)}"
    as_ours = f"/documents/{document.pk}?KeyID={signing.current_key_id()}&Signature={links.b64url(raw)}"

    assert code_of(as_rogue) == "document_key_unknown"
    assert code_of(as_ours) == "document_signature_invalid"


def test_urls_signed_before_a_key_rotation_still_verify(settings: Any, tmp_path: Path) -> None:
    document = uploaded()
    old_url = services.document_permanent_url(document)
    old_key = settings.VZAEMO_SIGNING_KEY_PATH

    settings.VZAEMO_SIGNING_KEY_PATH = str(tmp_path / "rotated" / "ed25519.pem")
    assert code_of(old_url) == "document_key_unknown"  # the old key is not in the ring yet

    settings.VZAEMO_SIGNING_RETIRED_KEYS = [old_key]
    new_url = services.document_permanent_url(document)
    assert query_of(new_url)["KeyID"] != query_of(old_url)["KeyID"] == signing.key_id_of(signing._load_public(old_key))
    assert selectors.document_verify_url(old_url) == document
    assert selectors.document_verify_url(new_url) == document


def test_the_callers_expectations_are_checked() -> None:
    document = uploaded()
    url = services.document_permanent_url(document)

    assert selectors.document_verify_url(url, sha256=SHA.upper(), owner=("broker", "7"), mode="real") == document
    assert code_of(url, sha256="0" * 64) == "document_hash_mismatch"
    assert code_of(url, owner=("broker", "8")) == "document_not_owned"
    assert code_of(url, mode=DocumentMode.TEST) == "document_mode_mismatch"


# --- expiring links -------------------------------------------------------------------------------


def _link_parts(path: str) -> dict[str, Any]:
    parts = urlsplit(path)
    query = query_of(path)
    return {"document_id": uuid.UUID(parts.path.split("/")[2]), "expires": query["expires"], "sig": query["sig"]}


def test_a_download_link_is_valid_until_it_expires(settings: Any, frozen: time_machine.Traveller) -> None:
    settings.VZAEMO_DOCUMENT_DOWNLOAD_LINK_SECONDS = 300
    document = uploaded()
    link = _link_parts(services.document_download_url(document))

    frozen.shift(dt.timedelta(seconds=299))
    assert selectors.document_for_download(**link) == document
    frozen.shift(dt.timedelta(seconds=1))
    with pytest.raises(DomainError) as caught:
        selectors.document_for_download(**link)
    assert caught.value.code == "link_expired"


def test_every_part_of_a_download_link_is_signed() -> None:
    document = uploaded()
    other = uploaded(b"another file")
    link = _link_parts(services.document_download_url(document))
    tampered = [
        {**link, "document_id": other.pk},
        {**link, "document_id": uuid.uuid4()},
        {**link, "expires": str(int(link["expires"]) + 3600)},
        {**link, "expires": "1e9"},
        {**link, "expires": ""},
        {**link, "sig": flip(link["sig"])},
        {**link, "sig": ""},
    ]
    for parts in tampered:
        with pytest.raises(DomainError) as caught:
            selectors.document_for_download(**parts)
        assert caught.value.code == "link_invalid", parts


def test_an_upload_link_is_not_a_download_link_and_back() -> None:
    registration = register()
    upload = _link_parts(registration.upload_url)
    assert selectors.document_for_upload(**upload) == registration.document
    with pytest.raises(DomainError) as caught:
        selectors.document_for_download(**upload)
    assert caught.value.code == "link_invalid"


def test_links_survive_a_secret_key_rotation(settings: Any) -> None:
    document = uploaded()
    link = _link_parts(services.document_download_url(document))
    settings.SECRET_KEY_FALLBACKS = [settings.SECRET_KEY]
    settings.SECRET_KEY = "a-new-secret-key-for-the-rotation-test-0123456789"
    assert selectors.document_for_download(**link) == document
    settings.SECRET_KEY_FALLBACKS = []
    with pytest.raises(DomainError):
        selectors.document_for_download(**link)
