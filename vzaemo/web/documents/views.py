"""The document service's HTTP edge (thin: every check lives in vzaemo.documents).

* `GET /documents/<uuid>?KeyID=…&Signature=…` (permanent URL) verifies the signature and answers 302 to a
  download link that expires (`Cache-Control: no-store`, since the link does).
* `GET /documents/<uuid>/download?expires=…&sig=…` streams the file as an attachment with the stored
  MIME type, `X-Content-Type-Options: nosniff` and `ETag` = the sha256.
* `POST /documents/<uuid>/upload?expires=…&sig=…` (multipart field `file`) uploads the file of a
  registered document. The signed link is the credential, so there is no session and no CSRF token:
  a cross-site form cannot know the link.

Refusals answer `{"errors": [{"code", "message"}]}` (the broker API's envelope) and change nothing.
"""

from __future__ import annotations

import logging
import uuid

from django.http import FileResponse, HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.http.multipartparser import MultiPartParserError
from django.http.response import HttpResponseBase
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST, require_safe

from vzaemo.core.errors import DomainError, NotFound, ValidationFailed
from vzaemo.documents import conf, selectors, services, storage
from vzaemo.documents.errors import DocumentError
from vzaemo.web.errors import json_error

logger = logging.getLogger("vzaemo.documents")

GONE_CODES = {DocumentError.LINK_EXPIRED}
# Room for the multipart envelope around the file when checking Content-Length up front.
MULTIPART_OVERHEAD = 64 * 1024


def _refusal(error: DomainError, status: int | None = None) -> JsonResponse:
    if status is None and error.code in GONE_CODES:
        status = 410
    response = json_error(error, status=status)
    response["Cache-Control"] = "no-store"
    return response


@require_safe
def document_permanent(request: HttpRequest, document_id: uuid.UUID) -> HttpResponse:
    try:
        document = selectors.document_verify_url(request.get_full_path())
    except DomainError as error:
        return _refusal(error)
    response = HttpResponseRedirect(services.document_download_url(document))
    response["Cache-Control"] = "no-store"
    return response


@require_safe
def document_download(request: HttpRequest, document_id: uuid.UUID) -> HttpResponseBase:
    try:
        document = selectors.document_for_download(
            document_id=document_id, expires=request.GET.get("expires", ""), sig=request.GET.get("sig", "")
        )
    except DomainError as error:
        return _refusal(error)
    try:
        handle = storage.open_document(document.storage_name)
    except FileNotFoundError:
        logger.error("the file of uploaded document %s is missing", document.pk)
        return _refusal(NotFound(_("The document's file is missing."), code=DocumentError.DOCUMENT_FILE_MISSING))
    response = FileResponse(handle, as_attachment=True, filename=document.filename, content_type=document.format)
    response["X-Content-Type-Options"] = "nosniff"
    response["ETag"] = f'"{document.sha256}"'
    response["Cache-Control"] = "private, no-transform"
    return response


@csrf_exempt
@require_POST
def document_upload(request: HttpRequest, document_id: uuid.UUID) -> HttpResponse:
    try:
        selectors.document_for_upload(
            document_id=document_id, expires=request.GET.get("expires", ""), sig=request.GET.get("sig", "")
        )
    except DomainError as error:
        return _refusal(error)
    limit = conf.max_bytes()
    try:
        declared = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        declared = 0
    if declared > limit + MULTIPART_OVERHEAD:  # refuse before reading the body
        too_large = ValidationFailed(
            _("The file is larger than %(limit)d bytes.") % {"limit": limit}, code=DocumentError.DOCUMENT_TOO_LARGE
        )
        return _refusal(too_large, status=413)
    try:
        file = request.FILES.get("file")
    except MultiPartParserError:
        file = None
    if file is None:
        return _refusal(
            ValidationFailed(_("Send the file as the multipart field “file”."), code=DocumentError.FILE_REQUIRED), 400
        )
    try:
        document = services.document_upload(document_id=document_id, file=file)
    except DomainError as error:
        return _refusal(error, status=413 if error.code == DocumentError.DOCUMENT_TOO_LARGE else None)
    return JsonResponse(
        {
            "data": {
                "id": str(document.pk),
                "hash": f"sha256:{document.sha256}",
                "title": document.title,
                "format": document.format,
                "size": document.size,
                "url": services.document_permanent_url(document),
            }
        },
        status=201,
        json_dumps_params={"ensure_ascii": False},
    )
