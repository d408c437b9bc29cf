"""The live auction stores only what cannot be computed: the frozen configuration and the accepted posts.

docs/design.md rule 7: the stage, whose turn it is, the Dutch price and the standings are a pure function
(`vzaemo.live.engine.state`) of a `LiveSession`'s configuration, its `LivePost`s and the time.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class LiveSession(models.Model):
    """The live part of one auction attempt, frozen when the auction enters `active.auction`.

    The timing comes from the rules registry at that moment and never changes afterwards, so every
    process computes the same stages. Its row is the per-auction lock of the bid path (not the CDB's
    auction row, which the broker API writes).
    """

    auction = models.OneToOneField(
        "auctions.Auction", on_delete=models.PROTECT, related_name="live_session", verbose_name=_("auction")
    )
    procedure = models.CharField(_("procedure"), max_length=20)
    start = models.DateTimeField(_("starts"))
    start_value = models.DecimalField(_("start price, UAH"), max_digits=14, decimal_places=2)
    minimal_step = models.DecimalField(_("bid step, UAH"), max_digits=14, decimal_places=2)
    special_bid = models.BooleanField(_("special bid allowed"), default=False)
    # engine.Timing fields in seconds (and percents), already divided by `speedup`.
    timing = models.JSONField(_("timing"))
    # [{"bid_id", "initial_amount", "initial_at"}]: the qualified bids when the session opened.
    bidders = models.JSONField(_("bidders"))
    # Test-mode auctions only (openprocurement's `accelerator`): stages run this many times faster.
    speedup = models.PositiveIntegerField(_("speed-up (test auctions only)"), default=1)
    rules_applied = models.JSONField(_("rules applied"), default=dict)
    # Bumped by every accepted post and by the finish: the change number the streams follow.
    version = models.PositiveIntegerField(_("version"), default=0)
    created_at = models.DateTimeField(_("opened"))
    # engine.end_time() of the posts so far: when the auction is over unless a later post moves it (kept by
    # every post), so the chronograph replays only the sessions that may have ended.
    ends_at = models.DateTimeField(_("ends"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    protocol = models.JSONField(_("protocol"), null=True, blank=True)
    protocol_document = models.UUIDField(_("protocol document"), null=True, blank=True)
    protocol_url = models.CharField(_("protocol URL (signed)"), max_length=500, blank=True)

    class Meta:
        ordering = ["-start", "-id"]
        verbose_name = _("live auction")
        verbose_name_plural = _("live auctions")
        indexes = [models.Index(fields=["finished_at", "ends_at"], name="live_session_open_idx")]

    def __str__(self) -> str:
        return f"live {self.auction_id}"


class LivePost(models.Model):
    """One accepted post: an amount, a cancel (`amount` null, the "-1" of the reference) or a special bid."""

    session = models.ForeignKey(LiveSession, on_delete=models.PROTECT, related_name="posts")
    bid = models.ForeignKey("auctions.Bid", on_delete=models.PROTECT, related_name="live_posts")
    amount = models.DecimalField(_("amount, UAH"), max_digits=14, decimal_places=2, null=True, blank=True)
    special = models.BooleanField(_("special bid"), default=False)
    # Server time read under the session's row lock: the only time that decides.
    at = models.DateTimeField(_("server time"))
    seq = models.PositiveIntegerField(_("sequence"))
    # The client's key: a retried request returns the stored post instead of making a second one.
    idempotency_key = models.CharField(_("idempotency key"), max_length=64)

    class Meta:
        ordering = ["session", "seq"]
        verbose_name = _("live bid")
        verbose_name_plural = _("live bids")
        constraints = [
            models.UniqueConstraint(fields=["session", "seq"], name="live_post_seq_unique"),
            models.UniqueConstraint(fields=["bid", "idempotency_key"], name="live_post_idempotent"),
            models.CheckConstraint(
                condition=models.Q(amount__isnull=True) | models.Q(amount__gt=0), name="live_post_amount_positive"
            ),
        ]

    def __str__(self) -> str:
        return f"post {self.seq} of {self.session_id}"


class LiveThrottle(models.Model):
    """The last bid request of each bidder, for the one-request-per-second limit across all processes."""

    bid = models.OneToOneField("auctions.Bid", on_delete=models.CASCADE, primary_key=True, related_name="+")
    last_request_at = models.DateTimeField()
    last_key = models.CharField(max_length=64)

    class Meta:
        verbose_name = _("bid request throttle")
        verbose_name_plural = _("bid request throttles")

    def __str__(self) -> str:
        return f"throttle of bid {self.bid_id}"
