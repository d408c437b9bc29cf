"""Petition pages. Thin: parse input, check who asks, call one service, render."""

from __future__ import annotations

from collections.abc import Callable

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from vzaemo.core.errors import DomainError, NotFound
from vzaemo.petitions import permissions, rules, selectors, services
from vzaemo.petitions.errors import PetitionError
from vzaemo.petitions.models import Petition
from vzaemo.petitions.permissions import PetitionAction
from vzaemo.web.errors import act, add_to_form, http_status, is_htmx, see_other, signed_in
from vzaemo.web.petitions.forms import AnswerForm, PetitionFilterForm, PetitionForm, RejectForm
from vzaemo.web.rate_limits import rate_limited

PAGE_SIZE = 20
SIGNERS_PAGE_SIZE = 50


def petition_list(request: HttpRequest) -> HttpResponse:
    form = PetitionFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    petitions = selectors.petition_list_public(
        query=filters.get("q", ""),
        authority_slug=filters.get("authority", ""),
        status=filters.get("status", ""),
        sort=filters.get("sort") or "newest",
    )
    page = Paginator(petitions, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    context = {"form": form, "page": page, "query": query.urlencode()}
    template = "web/petitions/list.html#results" if is_htmx(request) else "web/petitions/list.html"
    return render(request, template, context)


def _get_visible(request: HttpRequest, pk: int) -> Petition:
    petition = selectors.petition_get_for_viewer(petition_id=pk, user=request.user)
    if petition is None:
        raise NotFound(_("There is no such petition."), code=PetitionError.PETITION_NOT_FOUND)
    return petition


def _detail_context(request: HttpRequest, petition: Petition) -> dict[str, object]:
    user = request.user
    return {
        "petition": petition,
        "progress": rules.progress_percent(petition.signature_count, petition.threshold),
        "has_signed": selectors.petition_has_signed(petition=petition, user=user),
        "is_collecting": petition.is_collecting,
        "signers": selectors.petition_signers(petition=petition)[:10],
        "actions": permissions.petition_actions(user, petition),
        "reject_form": RejectForm(),
        "answer_form": AnswerForm(),
        "rules_applied": petition.rules_applied,
    }


def petition_detail(request: HttpRequest, pk: int) -> HttpResponse:
    petition = _get_visible(request, pk)
    return render(request, "web/petitions/detail.html", _detail_context(request, petition))


def petition_count(request: HttpRequest, pk: int) -> HttpResponse:
    """The signature count alone, which the petition page fetches every few seconds while it collects."""
    petition = _get_visible(request, pk)
    context = {
        "petition": petition,
        "progress": rules.progress_percent(petition.signature_count, petition.threshold),
        "is_collecting": petition.is_collecting,
    }
    return render(request, "web/petitions/detail.html#count", context)


def petition_signers(request: HttpRequest, pk: int) -> HttpResponse:
    petition = _get_visible(request, pk)
    page = Paginator(selectors.petition_signers(petition=petition), SIGNERS_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "web/petitions/signers.html", {"petition": petition, "page": page})


def _submitted_or_saved(request: HttpRequest) -> str:
    if "submit" in request.POST:
        return _("Your petition is submitted. A moderator will review it.")
    return _("Your draft is saved.")


def _keep_or_submit(request: HttpRequest, petition_id: int) -> HttpResponse:
    """The draft form's two buttons: keep the draft, or submit it for moderation."""
    if "submit" in request.POST:
        services.petition_submit(petition_id=petition_id, author=signed_in(request))
    messages.success(request, _submitted_or_saved(request))
    return see_other("web:petition_detail", pk=petition_id)


@login_required
@rate_limited("petition.create")
def petition_create(request: HttpRequest) -> HttpResponse:
    form = PetitionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            petition = services.petition_create(
                author=signed_in(request),
                authority=form.cleaned_data["authority"],
                title=form.cleaned_data["title"],
                essence=form.cleaned_data["essence"],
                submit="submit" in request.POST,
                idempotency_key=form.cleaned_data["idempotency_key"],
            )
        except DomainError as error:
            add_to_form(form, error)
        else:
            messages.success(request, _submitted_or_saved(request))
            return see_other("web:petition_detail", pk=petition.pk)
    status = 422 if request.method == "POST" else 200
    return render(request, "web/petitions/form.html", {"form": form}, status=status)


@login_required
def petition_edit(request: HttpRequest, pk: int) -> HttpResponse:
    petition = _get_visible(request, pk)
    if PetitionAction.EDIT not in permissions.petition_actions(request.user, petition):
        raise NotFound(_("Only the author's draft can be edited."))
    initial = {"authority": petition.authority, "title": petition.title, "essence": petition.essence}
    form = PetitionForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.petition_update_draft(
                petition_id=pk,
                author=signed_in(request),
                title=form.cleaned_data["title"],
                essence=form.cleaned_data["essence"],
            )
            return _keep_or_submit(request, pk)
        except DomainError as error:
            add_to_form(form, error)
    form.fields["authority"].disabled = True
    status = 422 if request.method == "POST" else 200
    return render(request, "web/petitions/form.html", {"form": form, "petition": petition}, status=status)


def _act(request: HttpRequest, pk: int, success: str, call: Callable[[], object]) -> HttpResponse:
    # A petition this person may not see is refused like one that does not exist (the service's own refusal
    # would tell them it exists).
    _get_visible(request, pk)
    return act(request, call, success=success, then=reverse("web:petition_detail", args=[pk]))


@require_POST
@login_required
def petition_submit(request: HttpRequest, pk: int) -> HttpResponse:
    return _act(
        request,
        pk,
        _("Your petition is submitted. A moderator will review it."),
        lambda: services.petition_submit(petition_id=pk, author=signed_in(request)),
    )


@require_POST
@rate_limited("petition.sign")
def petition_sign(request: HttpRequest, pk: int) -> HttpResponse:
    if not request.user.is_authenticated:
        if is_htmx(request):
            return render(
                request, "web/petitions/_sign_result.html", {"error": _("Sign in to sign petitions.")}, status=401
            )
        return see_other(f"{reverse('account_login')}?next={reverse('web:petition_detail', args=[pk])}")
    try:
        services.petition_sign(petition_id=pk, signer=request.user)
    except DomainError as error:
        # Checked only once signing failed, to keep the signing path at one query: a hidden petition must answer
        # exactly like a missing one, not "not collecting signatures".
        _get_visible(request, pk)
        if error.code != PetitionError.ALREADY_SIGNED:
            if is_htmx(request):
                return render(
                    request, "web/petitions/_sign_result.html", {"error": error.message}, status=http_status(error)
                )
            messages.error(request, str(error.message))
            return see_other("web:petition_detail", pk=pk)
        # A resend (a double click, a retried request) finds the one signature the unique key allows: it stands.
        message = str(error.message)
    else:
        message = _("Thank you: your signature is recorded. The count updates within seconds.")
    if is_htmx(request):
        return render(request, "web/petitions/_sign_result.html", {"signed": True, "message": message})
    messages.success(request, message)
    return see_other("web:petition_detail", pk=pk)


@require_POST
@login_required
def petition_publish(request: HttpRequest, pk: int) -> HttpResponse:
    return _act(
        request,
        pk,
        _("The petition is published and collecting signatures."),
        lambda: services.petition_publish(petition_id=pk, moderator=signed_in(request)),
    )


@require_POST
@login_required
def petition_reject(request: HttpRequest, pk: int) -> HttpResponse:
    _get_visible(request, pk)
    form = RejectForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose a reason from the list."))
        return see_other("web:petition_detail", pk=pk)
    return _act(
        request,
        pk,
        _("The petition is rejected; the author sees the reason."),
        lambda: services.petition_reject(
            petition_id=pk,
            moderator=signed_in(request),
            reason=form.cleaned_data["reason"],
            note=form.cleaned_data["note"],
        ),
    )


@require_POST
@login_required
def petition_start_consideration(request: HttpRequest, pk: int) -> HttpResponse:
    return _act(
        request,
        pk,
        _("Consideration has started."),
        lambda: services.petition_start_consideration(petition_id=pk, official=signed_in(request)),
    )


@login_required
def petition_answer(request: HttpRequest, pk: int) -> HttpResponse:
    petition = _get_visible(request, pk)
    try:
        # The person only: a wrong state is the service's to explain when the form is sent.
        permissions.petition_check(request.user, petition, PetitionAction.ANSWER, who_only=True)
    except DomainError as error:
        raise PermissionDenied(str(error.message)) from None
    form = AnswerForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.petition_answer(
                petition_id=pk,
                official=signed_in(request),
                decision=form.cleaned_data["decision"],
                text=form.cleaned_data["text"],
            )
            messages.success(request, _("The answer is published."))
            return see_other("web:petition_detail", pk=pk)
        except DomainError as error:
            add_to_form(form, error)
    status = 422 if request.method == "POST" else 200
    return render(request, "web/petitions/answer.html", {"petition": petition, "form": form}, status=status)


@login_required
def cabinet(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "web/petitions/cabinet.html",
        {
            "petitions": selectors.petitions_of_author(user=request.user),
            "signatures": Paginator(selectors.signatures_of(user=request.user), PAGE_SIZE).get_page(
                request.GET.get("page")
            ),
        },
    )


@login_required
def inbox(request: HttpRequest) -> HttpResponse:
    return render(request, "web/petitions/inbox.html", {"inbox": selectors.inbox_for_official(user=request.user)})
