"""The two comparison endpoints of bench/signatures.

Both sit behind the same middleware stack as the real `POST /petitions/<id>/sign/` (session
auth from the cached_db session, CSRF check, locale, CSP, ...), and both require a signed-in user
with a verified email, so the difference to the real endpoint is only the domain work:

* bare-sign:  one raw `INSERT ... ON CONFLICT DO NOTHING` in autocommit (durable at commit).
  It skips what the real service does besides: loading and checking the petition (status,
  collection term), the signer's name, the audit entry, and template rendering of the fragment.
* naive-sign: the same insert plus `UPDATE ... SET count = count + 1` on one hot row, in one
  transaction: the per-signature counter that docs/design.md rule 6 forbids.

Answers mimic the real htmx contract: 200 with a tiny fragment, 409 on a repeated signature.
"""

from __future__ import annotations

from django.db import connection, transaction
from django.http import HttpRequest, HttpResponse
from django.views.decorators.http import require_POST

from bench.signatures.benchapp.models import BareSignature, NaivePetitionCounter

_BARE = BareSignature._meta.db_table
_COUNTER = NaivePetitionCounter._meta.db_table
_INSERT = (
    f"INSERT INTO {_BARE} (petition_id, person_id, created_at) VALUES (%s, %s, now()) "
    "ON CONFLICT (petition_id, person_id) DO NOTHING RETURNING id"
)
_BUMP = f"UPDATE {_COUNTER} SET count = count + 1 WHERE petition_id = %s"


def _refuse(request: HttpRequest) -> HttpResponse | None:
    user = request.user
    if not user.is_authenticated:
        return HttpResponse("sign in first", status=403)
    if not getattr(user, "email_verified", False):
        return HttpResponse("verify your email first", status=403)
    return None


def _answer(inserted: bool) -> HttpResponse:
    if inserted:
        return HttpResponse('<p class="signed">Signed.</p>')
    return HttpResponse('<p class="refused">Already signed.</p>', status=409)


@require_POST
def bare_sign(request: HttpRequest, petition_id: int) -> HttpResponse:
    if refusal := _refuse(request):
        return refusal
    with connection.cursor() as cursor:
        cursor.execute(_INSERT, [petition_id, request.user.pk])
        inserted = cursor.fetchone() is not None
    return _answer(inserted)


@require_POST
def naive_sign(request: HttpRequest, petition_id: int) -> HttpResponse:
    if refusal := _refuse(request):
        return refusal
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(_INSERT, [petition_id, request.user.pk])
        inserted = cursor.fetchone() is not None
        if inserted:
            cursor.execute(_BUMP, [petition_id])
    return _answer(inserted)
