"""Appeal pages. Thin: parse input, check who asks, call one service, render.

Appeals are private: every page of one appeal answers 404 to anyone who may not see it
(anonymous visitors included), so its existence does not leak. Only statistics are public.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from django.views.decorators.http import require_POST

from vzaemo.appeals import permissions, rules, selectors, services
from vzaemo.appeals.errors import AppealError
from vzaemo.appeals.models import Appeal
from vzaemo.appeals.permissions import AppealAction
from vzaemo.appeals.states import AppealStatus
from vzaemo.core import rules as registry
from vzaemo.core.errors import DomainError, NotFound, ValidationFailed
from vzaemo.web.appeals import history
from vzaemo.web.appeals.forms import (
    AnswerForm,
    AppealForm,
    ComplaintForm,
    ExtendForm,
    ForwardForm,
    RefuseForm,
    RegisterForm,
)
from vzaemo.web.errors import add_to_form, http_status, see_other, signed_in
from vzaemo.web.rate_limits import rate_limited


def _get_visible(request: HttpRequest, pk: int) -> Appeal:
    appeal = selectors.appeal_get_for_viewer(appeal_id=pk, user=signed_in(request))
    if appeal is None:
        raise NotFound(_("There is no such appeal."), code=AppealError.APPEAL_NOT_FOUND)
    return appeal


def _error_status(error: DomainError) -> int:
    return 422 if isinstance(error, ValidationFailed) else http_status(error)


@login_required
@rate_limited("appeal.submit")
def appeal_create(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    initial = {"full_name": user.full_name, "place_of_residence": user.place_of_residence, "email": user.email}
    form = AppealForm(request.POST or None, request.FILES or None, initial=initial)
    status = 200
    if request.method == "POST":
        status = 422
        if form.is_valid():
            data = form.cleaned_data
            try:
                appeal = services.appeal_submit(
                    applicant=user,
                    authority=data["authority"],
                    kind=data["kind"],
                    category=data["category"],
                    essence=data["essence"],
                    location_text=data["location_text"],
                    photo=data["photo"] or None,
                    full_name=data["full_name"],
                    place_of_residence=data["place_of_residence"],
                    email=data["email"],
                    idempotency_key=data["idempotency_key"],
                    duplicate_confirmed=data["duplicate_confirmed"],
                )
            except DomainError as error:
                add_to_form(form, error)
                status = _error_status(error)
            else:
                term = registry.get(rules.FORWARD_TERM, authority=appeal.authority)
                messages.success(
                    request,
                    _("Your appeal is filed. The authority must register it within %(term)s.")
                    % {"term": registry.amount(term)},
                )
                return see_other("web:appeal_detail", pk=appeal.pk)
    return render(request, "web/appeals/form.html", {"form": form}, status=status)


def appeal_detail(request: HttpRequest, pk: int) -> HttpResponse:
    appeal = _get_visible(request, pk)
    user = request.user
    current = appeal.status_enum
    context = {
        "appeal": appeal,
        "history": history.rows(selectors.appeal_history(appeal=appeal)),
        "forwarded_to": selectors.appeal_forwarded_to(appeal=appeal) if current == AppealStatus.FORWARDED else None,
        "complaints": appeal.complaints.filter(forwarded_from__isnull=True, applicant=appeal.applicant_id),
        "is_applicant": permissions.is_applicant(user, appeal),
        "actions": permissions.appeal_actions(user, appeal),
        "register_form": RegisterForm(authority=appeal.authority),
    }
    return render(request, "web/appeals/detail.html", context)


def appeal_photo(request: HttpRequest, pk: int) -> FileResponse:
    """The photo, only to those who may see the appeal; never from a public media URL."""
    appeal = _get_visible(request, pk)
    if not appeal.photo:
        raise NotFound(_("This appeal has no photo."), code=AppealError.PHOTO_NOT_FOUND)
    response = FileResponse(appeal.photo.open("rb"), content_type=appeal.photo_type or "application/octet-stream")
    response["Content-Disposition"] = "inline"
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response


def _form_action(
    request: HttpRequest,
    pk: int,
    *,
    form_class: type[forms.Form],
    action: AppealAction,
    call: Callable[[Appeal, dict[str, Any]], Appeal],
    title: str,
    button: str,
    success: str,
    form_kwargs: Callable[[Appeal], dict[str, Any]] | None = None,
) -> HttpResponse:
    """A page with one form that calls one service: 303 to the resulting appeal, or 422 and nothing changed."""
    appeal = _get_visible(request, pk)
    try:
        # The person only: a wrong state is the service's to explain, with the form, when it is sent.
        permissions.appeal_check(request.user, appeal, action, who_only=True)
    except DomainError:
        raise PermissionDenied(_("You may not do this with this appeal.")) from None
    extra = form_kwargs(appeal) if form_kwargs else {}
    form = form_class(request.POST or None, **extra)
    status = 200
    if request.method == "POST":
        status = 422
        if form.is_valid():
            try:
                result = call(appeal, form.cleaned_data)
            except DomainError as error:
                add_to_form(form, error)
                status = _error_status(error)
            else:
                messages.success(request, success)
                return see_other("web:appeal_detail", pk=result.pk)
    context = {"appeal": appeal, "form": form, "title": title, "button": button}
    return render(request, "web/appeals/action.html", context, status=status)


def appeal_register(request: HttpRequest, pk: int) -> HttpResponse:
    return _form_action(
        request,
        pk,
        form_class=RegisterForm,
        form_kwargs=lambda appeal: {"authority": appeal.authority},
        action=AppealAction.REGISTER,
        call=lambda appeal, data: services.appeal_register(
            appeal_id=appeal.pk, official=signed_in(request), term=data["term"]
        ),
        title=_("Register the appeal"),
        button=pgettext("appeal", "Register"),
        success=_("The appeal is registered; the answer term is set."),
    )


def appeal_forward(request: HttpRequest, pk: int) -> HttpResponse:
    def forward(appeal: Appeal, data: dict[str, Any]) -> Appeal:
        services.appeal_forward(appeal_id=appeal.pk, official=signed_in(request), to=data["to"], note=data["note"])
        # Back to this body's own row: the receiving body's new row is not this official's to see.
        return appeal

    return _form_action(
        request,
        pk,
        form_class=ForwardForm,
        action=AppealAction.FORWARD,
        call=forward,
        title=_("Forward to the competent body"),
        button=_("Forward"),
        success=_("The appeal is forwarded and the applicant is told."),
        form_kwargs=lambda appeal: {"targets": selectors.forward_targets(appeal=appeal)},
    )


def appeal_extend(request: HttpRequest, pk: int) -> HttpResponse:
    return _form_action(
        request,
        pk,
        form_class=ExtendForm,
        action=AppealAction.EXTEND,
        call=lambda appeal, data: services.appeal_extend(
            appeal_id=appeal.pk,
            head=signed_in(request),
            until=data["until"],
            reason=data["reason"],
        ),
        title=_("Extend the term"),
        button=_("Extend"),
        success=_("The term is extended and the applicant is told."),
    )


def appeal_answer(request: HttpRequest, pk: int) -> HttpResponse:
    return _form_action(
        request,
        pk,
        form_class=AnswerForm,
        action=AppealAction.ANSWER,
        call=lambda appeal, data: services.appeal_answer(
            appeal_id=appeal.pk, official=signed_in(request), text=data["text"]
        ),
        title=_("Answer the appeal"),
        button=_("Send the answer"),
        success=_("The answer is sent to the applicant."),
    )


def appeal_refuse(request: HttpRequest, pk: int) -> HttpResponse:
    return _form_action(
        request,
        pk,
        form_class=RefuseForm,
        action=AppealAction.REFUSE,
        call=lambda appeal, data: services.appeal_refuse(
            appeal_id=appeal.pk,
            official=signed_in(request),
            reason=data["reason"],
            text=data["text"],
        ),
        title=_("Refuse with reasons"),
        button=_("Refuse"),
        success=_("The refusal with its reasons is sent to the applicant."),
    )


def appeal_complain(request: HttpRequest, pk: int) -> HttpResponse:
    return _form_action(
        request,
        pk,
        form_class=ComplaintForm,
        action=AppealAction.COMPLAIN,
        call=lambda appeal, data: services.appeal_file_complaint(
            appeal_id=appeal.pk,
            applicant=signed_in(request),
            essence=data["essence"],
            idempotency_key=data["idempotency_key"],
        ),
        title=_("Complain to the higher body"),
        button=_("File the complaint"),
        success=_("Your complaint is filed with the higher body."),
    )


def _post_action(request: HttpRequest, pk: int, success: str, call: Callable[[], object]) -> HttpResponse:
    _get_visible(request, pk)
    try:
        call()
    except DomainError as error:
        messages.error(request, str(error.message))
    else:
        messages.success(request, success)
    return see_other("web:appeal_detail", pk=pk)


@require_POST
def appeal_start(request: HttpRequest, pk: int) -> HttpResponse:
    return _post_action(
        request,
        pk,
        _("Consideration has started."),
        lambda: services.appeal_start(appeal_id=pk, official=signed_in(request)),
    )


@require_POST
def appeal_unsatisfactory(request: HttpRequest, pk: int) -> HttpResponse:
    return _post_action(
        request,
        pk,
        _("The answer is marked unsatisfactory."),
        lambda: services.appeal_mark_unsatisfactory(appeal_id=pk, applicant=signed_in(request)),
    )


@login_required
def appeal_cabinet(request: HttpRequest) -> HttpResponse:
    return render(
        request, "web/appeals/cabinet.html", {"appeals": selectors.appeals_of_applicant(user=signed_in(request))}
    )


@login_required
def appeal_inbox(request: HttpRequest) -> HttpResponse:
    return render(request, "web/appeals/inbox.html", {"appeals": selectors.appeal_inbox(user=signed_in(request))})


def appeal_index(request: HttpRequest) -> HttpResponse:
    """Where the menu leads: how to file an appeal, one's own appeals, and the public statistics."""
    return render(request, "web/appeals/index.html", {"stats": selectors.appeal_statistics()})


def appeal_statistics(request: HttpRequest) -> HttpResponse:
    return render(request, "web/appeals/statistics.html", {"stats": selectors.appeal_statistics()})
