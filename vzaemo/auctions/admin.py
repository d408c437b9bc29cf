"""The auction CDB in the admin: read and search; every change of state goes through the services."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from vzaemo.auctions.models import Auction, Award, Bid, Broker, Contract, Lot, LotPhoto, Revision
from vzaemo.core import clock
from vzaemo.core.admin.audited import AuditedModelAdmin
from vzaemo.core.admin.readonly import ReadOnlyAdmin
from vzaemo.core.audit_tags import AuditTag


@admin.register(Broker)
class BrokerAdmin(AuditedModelAdmin):
    """Accreditation is an administrator's decision; API keys come with broker_api."""

    audit_tag = AuditTag.ADMIN_BROKER

    list_display = ["name", "edrpou", "can_create", "can_edit", "sandbox", "is_active"]
    list_filter = ["is_active", "sandbox"]
    search_fields = ["name", "edrpou"]
    readonly_fields = ["created_at"]

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def save_model(self, request: HttpRequest, obj: Broker, form: Any, change: bool) -> None:
        if not change:
            obj.created_at = clock.now()
        super().save_model(request, obj, form, change)


@admin.register(Lot)
class LotAdmin(ReadOnlyAdmin):
    list_display = ["title", "category", "region", "start_value", "organiser", "owner", "mode"]
    list_filter = ["mode", "category", "region"]
    search_fields = ["title", "enforcement_proceeding"]


@admin.register(LotPhoto)
class LotPhotoAdmin(ReadOnlyAdmin):
    list_display = ["lot", "position", "alt_uk", "width", "height", "added_at"]
    list_select_related = ["lot"]


@admin.register(Auction)
class AuctionAdmin(ReadOnlyAdmin):
    list_display = ["__str__", "procedure", "status", "value", "auction_start", "tender_end", "mode"]
    list_filter = ["mode", "status", "procedure"]
    search_fields = ["lot__title"]
    list_select_related = ["lot"]


@admin.register(Bid)
class BidAdmin(ReadOnlyAdmin):
    list_display = ["pk", "auction", "owner", "status", "qualified", "value", "final_value", "rank"]
    list_filter = ["status"]


@admin.register(Award)
class AwardAdmin(ReadOnlyAdmin):
    list_display = ["pk", "auction", "rank", "status", "value", "protocol_due_at", "payment_due_at"]
    list_filter = ["status"]


@admin.register(Contract)
class ContractAdmin(ReadOnlyAdmin):
    list_display = ["pk", "auction", "status", "value", "signed_at"]


@admin.register(Revision)
class RevisionAdmin(ReadOnlyAdmin):
    list_display = ["subject_type", "subject_id", "rev", "author", "date"]
    list_filter = ["subject_type"]
