"""Consultation pages. Thin: parse input, check who asks, call one service, render."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from vzaemo.accounts.models import CivilSocietyOrganisation
from vzaemo.consultations import permissions, selectors, services
from vzaemo.consultations.errors import ConsultationError
from vzaemo.consultations.models import Consultation, Proposal
from vzaemo.consultations.permissions import ConsultationAction
from vzaemo.core import clock
from vzaemo.core.errors import DomainError, NotFound
from vzaemo.web.consultations.forms import (
    ConsultationFilterForm,
    ConsultationForm,
    DecisionForm,
    HideForm,
    ProposalForm,
    ReportForm,
    SubscriptionForm,
)
from vzaemo.web.errors import act, add_to_form, http_status, see_other, signed_in
from vzaemo.web.rate_limits import rate_limited

PAGE_SIZE = 20


def consultation_list(request: HttpRequest) -> HttpResponse:
    form = ConsultationFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    consultations = selectors.consultation_list_public(
        authority_slug=filters.get("authority", ""), topic=filters.get("topic", ""), phase=filters.get("phase", "")
    )
    page = Paginator(consultations, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "form": form,
        "page": page,
        "query": query.urlencode(),
        "prepares_consultations": permissions.prepares_consultations(request.user),
    }
    return render(request, "web/consultations/list.html", context)


def _get_visible(request: HttpRequest, pk: int) -> Consultation:
    consultation = selectors.consultation_get_for_viewer(consultation_id=pk, user=request.user)
    if consultation is None:
        raise NotFound(_("There is no such consultation."), code=ConsultationError.CONSULTATION_NOT_FOUND)
    return consultation


def _get_managed(request: HttpRequest, pk: int, action: ConsultationAction) -> Consultation:
    """The consultation, if the person is one who may do `action` with it; its state is judged later."""
    consultation = _get_visible(request, pk)
    try:
        permissions.consultation_check(request.user, consultation, action, who_only=True)
    except DomainError:
        raise PermissionDenied(_("Only an official of the authority may do this.")) from None
    return consultation


def _detail(
    request: HttpRequest, consultation: Consultation, *, proposal_form: ProposalForm | None = None, status: int = 200
) -> HttpResponse:
    user = request.user
    if proposal_form is None:
        clause = request.GET.get("clause", "")
        proposal_form = ProposalForm(consultation=consultation, user=user, initial={"clause": clause})
    context = {
        "consultation": consultation,
        "clauses": selectors.clauses_with_proposals(consultation=consultation),
        "general": selectors.published_proposals(consultation=consultation).filter(clause=None),
        "hidden": selectors.hidden_proposals(consultation=consultation),
        "accepting": consultation.accepts_proposals,
        "proposal_form": proposal_form,
        "actions": permissions.consultation_actions(user, consultation),
        "hide_form": HideForm(),
        "rules_applied": consultation.rules_applied,
    }
    return render(request, "web/consultations/detail.html", context, status=status)


def consultation_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _detail(request, _get_visible(request, pk))


@require_POST
@rate_limited("proposal.submit")
def consultation_propose(request: HttpRequest, pk: int) -> HttpResponse:
    detail = reverse("web:consultation_detail", args=[pk])
    if not request.user.is_authenticated:
        return see_other(f"{reverse('account_login')}?next={detail}")
    consultation = _get_visible(request, pk)
    form = ProposalForm(request.POST, consultation=consultation, user=request.user)
    status = 422
    if form.is_valid():
        data = form.cleaned_data
        cso = CivilSocietyOrganisation.objects.filter(pk=data["on_behalf"]).first() if data["on_behalf"] else None
        try:
            services.proposal_submit(
                consultation_id=pk,
                author=request.user,
                text=data["text"],
                clause_id=int(data["clause"]) if data["clause"] else None,
                cso=cso,
                idempotency_key=data["idempotency_key"],
            )
        except DomainError as error:
            add_to_form(form, error)
            status = http_status(error)
        else:
            messages.success(request, _("Thank you: your proposal is published."))
            return see_other(detail + "#proposals")
    return _detail(request, consultation, proposal_form=form, status=status)


def _notice_form(request: HttpRequest, consultation: Consultation | None) -> HttpResponse:
    initial: dict[str, Any] = {}
    if consultation is not None:
        initial = {
            field: getattr(consultation, field)
            for field in (
                "authority",
                "title",
                "summary",
                "affected_groups",
                "consequences",
                "contact_email",
                "proposals_form",
                "topic",
                "draft_text",
            )
        }
        initial["closes_on"] = consultation.closes_at.astimezone(clock.KYIV).date()
    form = ConsultationForm(request.POST or None, user=request.user, initial=initial)
    if consultation is not None:
        form.fields["authority"].disabled = True
    if request.method == "POST" and form.is_valid():
        try:
            if consultation is None:
                consultation = services.consultation_create(
                    official=signed_in(request),
                    authority=form.cleaned_data["authority"],
                    idempotency_key=form.cleaned_data["idempotency_key"],
                    **form.notice(),
                )
            else:
                services.consultation_update_draft(
                    consultation_id=consultation.pk,
                    official=signed_in(request),
                    **form.notice(),
                )
        except DomainError as error:
            add_to_form(form, error)
        else:
            messages.success(request, _("The draft is saved. Review its clauses, then open the consultation."))
            return see_other("web:consultation_detail", pk=consultation.pk)
    status = 422 if request.method == "POST" else 200
    return render(request, "web/consultations/form.html", {"form": form, "consultation": consultation}, status=status)


@login_required
def consultation_create(request: HttpRequest) -> HttpResponse:
    if not selectors.authorities_managed_by(user=request.user).exists():
        raise PermissionDenied(_("Only officials of an authority prepare consultations."))
    return _notice_form(request, None)


@login_required
def consultation_edit(request: HttpRequest, pk: int) -> HttpResponse:
    consultation = _get_managed(request, pk, ConsultationAction.EDIT)
    if ConsultationAction.EDIT not in permissions.consultation_actions(request.user, consultation):
        raise NotFound(_("Only a draft consultation can be edited."), code=ConsultationError.CONSULTATION_NOT_DRAFT)
    return _notice_form(request, consultation)


def _act(request: HttpRequest, pk: int, success: str, call: Callable[[], object], to: str = "") -> HttpResponse:
    return act(request, call, success=success, then=to or reverse("web:consultation_detail", args=[pk]))


@require_POST
@login_required
def consultation_open(request: HttpRequest, pk: int) -> HttpResponse:
    return _act(
        request,
        pk,
        _("The consultation is open: the notice and the draft are published."),
        lambda: services.consultation_open(consultation_id=pk, official=signed_in(request)),
    )


@require_POST
@login_required
def consultation_hide(request: HttpRequest, pk: int, proposal_pk: int) -> HttpResponse:
    form = HideForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose a reason from the list."))
        return see_other("web:consultation_detail", pk=pk)
    if not Proposal.objects.filter(pk=proposal_pk, consultation_id=pk).exists():
        raise NotFound(_("There is no such proposal."), code=ConsultationError.PROPOSAL_NOT_FOUND)
    return _act(
        request,
        pk,
        _("The proposal is hidden; the reason is shown in its place."),
        lambda: services.proposal_hide(
            proposal_id=proposal_pk,
            moderator=signed_in(request),
            reason=form.cleaned_data["reason"],
            note=form.cleaned_data["note"],
        ),
    )


@login_required
def consultation_decisions(request: HttpRequest, pk: int) -> HttpResponse:
    """One form per published proposal; each POST records the decision on one of them."""
    consultation = _get_managed(request, pk, ConsultationAction.DECIDE_PROPOSALS)
    proposals = list(selectors.published_proposals(consultation=consultation))
    forms_by_id = {
        p.pk: DecisionForm(prefix=f"p{p.pk}", initial={"decision": p.decision, "reason": p.decision_reason})
        for p in proposals
    }
    status = 200
    if request.method == "POST":
        try:
            proposal_pk = int(request.POST.get("proposal", ""))
        except ValueError:
            raise NotFound(_("There is no such proposal."), code=ConsultationError.PROPOSAL_NOT_FOUND) from None
        if proposal_pk not in forms_by_id:
            raise NotFound(_("There is no such proposal."), code=ConsultationError.PROPOSAL_NOT_FOUND)
        form = DecisionForm(request.POST, prefix=f"p{proposal_pk}")
        forms_by_id[proposal_pk] = form
        status = 422
        if form.is_valid():
            try:
                services.proposal_decide(
                    proposal_id=proposal_pk,
                    official=signed_in(request),
                    decision=form.cleaned_data["decision"],
                    reason=form.cleaned_data["reason"],
                )
            except DomainError as error:
                add_to_form(form, error)
                status = http_status(error)
            else:
                messages.success(request, _("The decision is recorded."))
                return see_other(reverse("web:consultation_decisions", args=[pk]) + f"#proposal-{proposal_pk}")
    rows = [(p, forms_by_id[p.pk]) for p in proposals]
    undecided = sum(1 for p in proposals if not p.decision)
    return render(
        request,
        "web/consultations/decisions.html",
        {
            "consultation": consultation,
            "rows": rows,
            "undecided": undecided,
            "deciding": ConsultationAction.DECIDE_PROPOSALS
            in permissions.consultation_actions(request.user, consultation),
        },
        status=status,
    )


@login_required
def consultation_publish_report(request: HttpRequest, pk: int) -> HttpResponse:
    consultation = _get_managed(request, pk, ConsultationAction.PUBLISH_REPORT)
    form = ReportForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.consultation_publish_report(
                consultation_id=pk,
                official=signed_in(request),
                summary=form.cleaned_data["summary"],
            )
        except DomainError as error:
            add_to_form(form, error)
        else:
            messages.success(request, _("The report is published."))
            return see_other("web:consultation_report", pk=pk)
    status = 422 if request.method == "POST" else 200
    undecided = selectors.published_proposals(consultation=consultation).filter(decision="").count()
    return render(
        request,
        "web/consultations/publish_report.html",
        {"consultation": consultation, "form": form, "undecided": undecided},
        status=status,
    )


def consultation_report(request: HttpRequest, pk: int) -> HttpResponse:
    consultation = _get_visible(request, pk)
    if not consultation.has_report:
        raise NotFound(
            _("The report on this consultation is not published yet."), code=ConsultationError.REPORT_NOT_PUBLISHED
        )
    return render(
        request,
        "web/consultations/report.html",
        {
            "consultation": consultation,
            "report": selectors.consultation_report(consultation=consultation),
            "clauses": selectors.clauses_with_proposals(consultation=consultation),
            "general": selectors.published_proposals(consultation=consultation).filter(clause=None),
        },
    )


@login_required
def consultation_office(request: HttpRequest) -> HttpResponse:
    if not selectors.authorities_managed_by(user=request.user).exists():
        raise PermissionDenied(_("Only officials of an authority prepare consultations."))
    return render(
        request,
        "web/consultations/office.html",
        {"consultations": selectors.consultations_managed_by(user=request.user)},
    )


@login_required
def consultation_subscriptions(request: HttpRequest) -> HttpResponse:
    form = SubscriptionForm(request.POST or None)
    status = 200
    if request.method == "POST":
        status = 422
        if form.is_valid():
            try:
                services.subscription_add(
                    user=signed_in(request),
                    authority=form.cleaned_data["authority"],
                    topic=form.cleaned_data["topic"],
                )
            except DomainError as error:
                add_to_form(form, error)
                status = http_status(error)
            else:
                messages.success(request, _("Subscribed: we will email you when such consultations open or report."))
                return see_other("web:consultation_subscriptions")
    return render(
        request,
        "web/consultations/subscriptions.html",
        {"form": form, "subscriptions": selectors.subscriptions_of(user=request.user)},
        status=status,
    )


@require_POST
@login_required
def consultation_unsubscribe(request: HttpRequest, subscription_pk: int) -> HttpResponse:
    try:
        services.subscription_remove(subscription_id=subscription_pk, user=signed_in(request))
    except DomainError as error:
        messages.error(request, str(error.message))
    else:
        messages.success(request, _("The subscription is removed."))
    return see_other("web:consultation_subscriptions")
