"""The central database of arrested-asset sales: brokers, lots, auction attempts, bids, awards, contracts.

An auction is the *document* brokers see (as in openprocurement): its bids, awards and contracts are
parts of it. Every service locks the auction row first, so one auction changes one writer at a time,
and every write stamps the auction row (`commit_txid`, `date_modified`) and appends one JSON-Patch
`Revision` of the whole document.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from vzaemo.accounts.models import Region, edrpou_validator
from vzaemo.auctions.states import (
    AuctionStatus,
    AwardEndReason,
    AwardStatus,
    BidInvalidReason,
    BidStatus,
    Category,
    ContractStatus,
    Mode,
    OrganiserKind,
    Procedure,
)


class Broker(models.Model):
    """An accredited platform (agent or partner under MoJ order 1859/5) that talks to the CDB by API."""

    name = models.CharField(_("name"), max_length=300)
    edrpou = models.CharField(_("EDRPOU code"), max_length=8, unique=True, validators=[edrpou_validator])
    # Accreditation levels (docs/reference/auctions.md §1.2): create objects, edit them, sandbox only.
    can_create = models.BooleanField(_("level: create"), default=False)
    can_edit = models.BooleanField(_("level: edit"), default=False)
    sandbox = models.BooleanField(_("level: sandbox (test objects only)"), default=False)
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created"))

    class Meta:
        ordering = ["name"]
        verbose_name = _("broker")
        verbose_name_plural = _("brokers")

    def __str__(self) -> str:
        return self.name


class Lot(models.Model):
    """An arrested asset offered for sale; its auction attempts are its history."""

    mode = models.CharField(_("mode"), max_length=10, choices=Mode.choices, default=Mode.REAL)
    owner = models.ForeignKey(Broker, on_delete=models.PROTECT, related_name="lots", verbose_name=_("broker"))
    organiser = models.ForeignKey(
        "accounts.Authority", on_delete=models.PROTECT, related_name="auction_lots", verbose_name=_("organiser")
    )
    organiser_kind = models.CharField(_("organiser kind"), max_length=10, choices=OrganiserKind.choices)
    title = models.CharField(_("title"), max_length=300)
    description = models.TextField(_("description"), max_length=20_000)
    category = models.CharField(_("category"), max_length=20, choices=Category.choices)
    region = models.CharField(_("region"), max_length=30, choices=Region.choices)
    address = models.CharField(_("address"), max_length=500, blank=True)
    enforcement_proceeding = models.CharField(_("enforcement proceeding No."), max_length=50)
    encumbrances = models.TextField(_("encumbrances"), blank=True)
    start_value = models.DecimalField(_("start price, UAH"), max_digits=14, decimal_places=2)
    created_at = models.DateTimeField(_("created"))
    date_modified = models.DateTimeField(_("modified"))
    commit_txid = models.BigIntegerField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("lot")
        verbose_name_plural = _("lots")
        indexes = [models.Index(fields=["commit_txid", "id"], name="lot_commit_order_idx")]
        constraints = [models.CheckConstraint(condition=models.Q(start_value__gt=0), name="lot_start_value_positive")]

    def __str__(self) -> str:
        return self.title


class LotPhoto(models.Model):
    """A photo of a lot: two documents of the document service (ADR 0007), the image re-encoded without its
    metadata and its thumbnail, made once at upload (`documents.images`), with a text alternative per language."""

    lot = models.ForeignKey(Lot, on_delete=models.PROTECT, related_name="photos", verbose_name=_("lot"))
    position = models.PositiveSmallIntegerField(_("position"))
    image = models.OneToOneField(
        "documents.Document", on_delete=models.PROTECT, related_name="+", verbose_name=_("image")
    )
    thumbnail = models.OneToOneField(
        "documents.Document", on_delete=models.PROTECT, related_name="+", verbose_name=_("thumbnail")
    )
    width = models.PositiveIntegerField(_("width, px"))
    height = models.PositiveIntegerField(_("height, px"))
    thumbnail_width = models.PositiveIntegerField(_("thumbnail width, px"))
    thumbnail_height = models.PositiveIntegerField(_("thumbnail height, px"))
    alt_uk = models.CharField(_("text alternative (Ukrainian)"), max_length=300)
    alt_en = models.CharField(_("text alternative (English)"), max_length=300)
    added_at = models.DateTimeField(_("added"))

    class Meta:
        ordering = ["lot", "position"]
        verbose_name = _("lot photo")
        verbose_name_plural = _("lot photos")
        constraints = [
            models.UniqueConstraint(fields=["lot", "position"], name="lot_photo_one_per_position"),
            models.CheckConstraint(condition=~models.Q(alt_uk="") & ~models.Q(alt_en=""), name="lot_photo_has_alt"),
        ]

    def __str__(self) -> str:
        return f"{self.lot_id} #{self.position}: {self.alt_uk}"

    @property
    def alt(self) -> str:
        """The text alternative in the reader's language (Ukrainian unless the page is English)."""
        return self.alt_en if (get_language() or "").startswith("en") else self.alt_uk


class Auction(models.Model):
    """One attempt to sell a lot. A failed attempt creates the next one, marked down (rules.markdown)."""

    lot = models.ForeignKey(Lot, on_delete=models.PROTECT, related_name="auctions", verbose_name=_("lot"))
    attempt = models.PositiveSmallIntegerField(_("attempt"))
    previous = models.OneToOneField(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="next_attempt"
    )
    # Copied from the lot: the feed, sandbox separation and ownership are per auction.
    mode = models.CharField(_("mode"), max_length=10, choices=Mode.choices)
    owner = models.ForeignKey(Broker, on_delete=models.PROTECT, related_name="auctions", verbose_name=_("broker"))
    procedure = models.CharField(_("procedure"), max_length=20, choices=Procedure.choices)
    status = models.CharField(_("status"), max_length=30, choices=AuctionStatus.choices, default=AuctionStatus.DRAFT)

    value = models.DecimalField(_("start price, UAH"), max_digits=14, decimal_places=2)
    markdown_percent = models.DecimalField(_("markdown from the first attempt, %"), max_digits=5, decimal_places=2)
    guarantee = models.DecimalField(_("guarantee, UAH"), max_digits=14, decimal_places=2)
    minimal_step = models.DecimalField(_("bid step, UAH"), max_digits=14, decimal_places=2)

    auction_start = models.DateTimeField(_("auction starts"), null=True, blank=True)
    tender_start = models.DateTimeField(_("tendering started"), null=True, blank=True)
    tender_end = models.DateTimeField(_("tendering ends"), null=True, blank=True)
    result_recorded_at = models.DateTimeField(_("result recorded"), null=True, blank=True)
    ended_at = models.DateTimeField(_("ended"), null=True, blank=True)
    # deadline or amount -> the rule citation that produced it (core.rules.RuleValue.citation()).
    rules_applied = models.JSONField(_("rules applied"), default=dict, blank=True)
    cancellation_reason = models.TextField(_("cancellation reason"), blank=True)

    created_at = models.DateTimeField(_("created"))
    date_modified = models.DateTimeField(_("modified"))
    # Status changes stamp `date` as in openprocurement.
    date = models.DateTimeField(_("status changed"))
    rev = models.PositiveIntegerField(_("revision"), default=0)
    # The transaction of the latest write (core.commit_order): the change feed orders by (commit_txid, id).
    commit_txid = models.BigIntegerField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("auction")
        verbose_name_plural = _("auctions")
        indexes = [
            models.Index(fields=["commit_txid", "id"], name="auction_commit_order_idx"),
            models.Index(fields=["status", "tender_end"], name="auction_status_tender_end_idx"),
            models.Index(fields=["mode", "status"], name="auction_mode_status_idx"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["lot", "attempt"], name="auction_one_per_attempt"),
            models.CheckConstraint(condition=models.Q(value__gt=0), name="auction_value_positive"),
            models.CheckConstraint(
                condition=models.Q(status="draft") | models.Q(auction_start__isnull=False, tender_end__isnull=False),
                name="auction_published_has_periods",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.lot} — #{self.attempt}"

    @property
    def status_enum(self) -> AuctionStatus:
        return AuctionStatus(self.status)

    # What the pages show, named once here from the states (actions come from permissions.py).
    @property
    def is_unsuccessful(self) -> bool:
        return self.status == AuctionStatus.UNSUCCESSFUL

    @property
    def is_cancelled(self) -> bool:
        return self.status == AuctionStatus.CANCELLED

    @property
    def public_id(self) -> str:
        return f"UA-EA-{self.created_at:%Y-%m-%d}-{self.pk:06d}"


class Bid(models.Model):
    """A bidder's application, registered by the bidder's broker. Qualified once the guarantee is paid."""

    auction = models.ForeignKey(Auction, on_delete=models.PROTECT, related_name="bids")
    owner = models.ForeignKey(Broker, on_delete=models.PROTECT, related_name="bids", verbose_name=_("broker"))
    bidder_name = models.CharField(_("bidder"), max_length=300)
    # EDRPOU (8 digits) or RNOKPP (10 digits): hidden from everyone but the owner until the auction ends.
    bidder_identifier = models.CharField(_("bidder's code"), max_length=10)
    status = models.CharField(_("status"), max_length=20, choices=BidStatus.choices, default=BidStatus.DRAFT)
    value = models.DecimalField(_("initial bid, UAH"), null=True, blank=True, max_digits=14, decimal_places=2)
    # The amount after the live auction (or the initial bid when the auction was skipped).
    final_value = models.DecimalField(_("final amount, UAH"), null=True, blank=True, max_digits=14, decimal_places=2)
    rank = models.PositiveSmallIntegerField(_("rank"), null=True, blank=True)
    qualified = models.BooleanField(_("guarantee paid"), default=False)
    guarantee_reference = models.CharField(_("guarantee payment reference"), max_length=100, blank=True)
    guarantee_paid_at = models.DateTimeField(_("guarantee paid"), null=True, blank=True)
    guarantee_forfeited = models.BooleanField(_("guarantee forfeited"), default=False)
    invalid_reason = models.CharField(_("why invalid"), max_length=20, choices=BidInvalidReason.choices, blank=True)
    created_at = models.DateTimeField(_("created"))
    submitted_at = models.DateTimeField(_("submitted"), null=True, blank=True)
    date_modified = models.DateTimeField(_("modified"))

    class Meta:
        ordering = ["id"]
        verbose_name = _("bid")
        verbose_name_plural = _("bids")
        constraints = [
            models.UniqueConstraint(fields=["auction", "bidder_identifier"], name="bid_one_per_bidder"),
            models.UniqueConstraint(
                fields=["auction", "guarantee_reference"],
                condition=~models.Q(guarantee_reference=""),
                name="bid_guarantee_reference_unique",
            ),
            models.CheckConstraint(
                condition=~models.Q(status="active") | models.Q(qualified=True), name="bid_active_is_qualified"
            ),
        ]

    def __str__(self) -> str:
        return f"bid {self.pk} on {self.auction_id}"


class Award(models.Model):
    """The sale offered to a ranked bidder: the top one `pending`, the runner-up `pending.waiting`."""

    auction = models.ForeignKey(Auction, on_delete=models.PROTECT, related_name="awards")
    bid = models.ForeignKey(Bid, on_delete=models.PROTECT, related_name="awards")
    rank = models.PositiveSmallIntegerField(_("rank"))
    status = models.CharField(_("status"), max_length=20, choices=AwardStatus.choices)
    value = models.DecimalField(_("price, UAH"), max_digits=14, decimal_places=2)
    pending_since = models.DateTimeField(_("pending since"), null=True, blank=True)
    protocol_due_at = models.DateTimeField(_("protocol due"), null=True, blank=True)
    protocol_uploaded_at = models.DateTimeField(_("protocol uploaded"), null=True, blank=True)
    protocol_document = models.CharField(_("protocol document"), max_length=500, blank=True)
    payment_due_at = models.DateTimeField(_("payment due"), null=True, blank=True)
    paid_at = models.DateTimeField(_("paid"), null=True, blank=True)
    payment_reference = models.CharField(_("payment reference"), max_length=100, blank=True)
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    end_reason = models.CharField(_("why ended"), max_length=20, choices=AwardEndReason.choices, blank=True)
    end_note = models.TextField(_("note"), blank=True)
    rules_applied = models.JSONField(_("rules applied"), default=dict, blank=True)
    created_at = models.DateTimeField(_("created"))

    class Meta:
        ordering = ["rank"]
        verbose_name = _("award")
        verbose_name_plural = _("awards")
        constraints = [
            models.UniqueConstraint(fields=["auction", "bid"], name="award_one_per_bid"),
            # At most one award is live (pending or active) at a time: the database, not a check, says so.
            models.UniqueConstraint(
                fields=["auction"], condition=models.Q(status__in=["pending", "active"]), name="award_one_live"
            ),
        ]

    def __str__(self) -> str:
        return f"award {self.pk} ({self.status})"


class Contract(models.Model):
    auction = models.ForeignKey(Auction, on_delete=models.PROTECT, related_name="contracts")
    award = models.OneToOneField(Award, on_delete=models.PROTECT, related_name="contract")
    status = models.CharField(
        _("status"), max_length=20, choices=ContractStatus.choices, default=ContractStatus.PENDING
    )
    value = models.DecimalField(_("price, UAH"), max_digits=14, decimal_places=2)
    created_at = models.DateTimeField(_("created"))
    signed_at = models.DateTimeField(_("signed"), null=True, blank=True)
    cancelled_at = models.DateTimeField(_("cancelled"), null=True, blank=True)
    cancellation_reason = models.TextField(_("cancellation reason"), blank=True)

    class Meta:
        ordering = ["id"]
        verbose_name = _("contract")
        verbose_name_plural = _("contracts")
        constraints = [
            models.UniqueConstraint(
                fields=["auction"], condition=models.Q(status__in=["pending", "active"]), name="contract_one_live"
            )
        ]

    def __str__(self) -> str:
        return f"contract {self.pk} ({self.status})"


class Revision(models.Model):
    """One change of a lot or auction document: an RFC 6902 patch from the previous revision."""

    subject_type = models.CharField(max_length=20, choices=[("lot", "lot"), ("auction", "auction")])
    subject_id = models.BigIntegerField()
    rev = models.PositiveIntegerField()
    author = models.CharField(_("author"), max_length=300)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    broker = models.ForeignKey(Broker, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    date = models.DateTimeField(_("date"))
    changes = models.JSONField(_("changes (JSON Patch)"))

    class Meta:
        ordering = ["subject_type", "subject_id", "rev"]
        verbose_name = _("revision")
        verbose_name_plural = _("revisions")
        constraints = [
            models.UniqueConstraint(fields=["subject_type", "subject_id", "rev"], name="revision_unique_rev")
        ]

    def __str__(self) -> str:
        return f"{self.subject_type} {self.subject_id} rev {self.rev}"
