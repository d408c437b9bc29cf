"""Documents: a broker registers a file's hash, then uploads the file to a signed link."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from ninja import Router, Status

from vzaemo.broker_api.auth import api_key_auth
from vzaemo.broker_api.routers.common import ERRORS, broker_of
from vzaemo.broker_api.schemas import DataOut, DocumentIn
from vzaemo.documents import links as document_links
from vzaemo.documents import services as document_service

router = Router(tags=["documents"])


@router.post(
    "/documents",
    auth=api_key_auth,
    response={201: DataOut, **ERRORS},
    summary="Register a document before uploading it",
)
def document_register(request: HttpRequest, response: HttpResponse, payload: DocumentIn) -> Status[dict[str, Any]]:
    """Register the file's SHA-256; then `POST` the file to `upload_url` (multipart field `file`, no key:
    the link is the credential, valid for an hour). `url` is the permanent, signed URL to send in the API
    (e.g. as an award's protocol) once the file is uploaded."""
    broker = broker_of(request)
    data = payload.data
    registration = document_service.document_register(
        sha256=data.hash.removeprefix("sha256:"),
        title=data.title,
        format=data.format,
        owner_type="broker",
        owner_id=str(broker.pk),
        mode=data.mode,
        actor=broker,
    )
    document = registration.document
    response["Location"] = registration.url
    body = {
        "id": str(document.pk),
        "hash": f"sha256:{document.sha256}",
        "title": document.title,
        "format": document.format,
        "mode": document.mode,
        "url": registration.url,
        "upload_url": document_links.site_origin() + registration.upload_url,
    }
    return Status(201, {"data": body})
