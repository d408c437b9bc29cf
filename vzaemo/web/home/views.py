from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from vzaemo.consultations.selectors import consultation_list_public
from vzaemo.petitions.selectors import petition_list_public

LATEST = 3


def home(request: HttpRequest) -> HttpResponse:
    """The front door: what one can do here, and what is happening now."""
    return render(
        request,
        "web/home/index.html",
        {
            "petitions": petition_list_public(status="published", sort="signatures")[:LATEST],
            "consultations": consultation_list_public(phase="open")[:LATEST],
        },
    )
