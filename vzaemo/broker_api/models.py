"""API keys of brokers and owner tokens of the objects they create. Secrets are never stored, only SHA-256."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from vzaemo.auctions.models import Broker


class ApiKey(models.Model):
    """A broker's key: `Authorization: Bearer <secret>`. The secret is shown once, when it is issued."""

    broker = models.ForeignKey(Broker, on_delete=models.PROTECT, related_name="api_keys", verbose_name=_("broker"))
    name = models.CharField(_("name"), max_length=100)
    prefix = models.CharField(_("key prefix"), max_length=8, db_index=True, editable=False)
    secret_hash = models.CharField(_("SHA-256 of the secret"), max_length=64, editable=False)
    created_at = models.DateTimeField(_("created"), editable=False)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("API key")
        verbose_name_plural = _("API keys")

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"


class OwnerToken(models.Model):
    """Who may write to a lot, auction or bid: `access.token` (and `access.transfer`) of its creator."""

    class Kind(models.TextChoices):
        LOT = "lot", _("lot")
        AUCTION = "auction", _("auction")
        BID = "bid", _("bid")

    kind = models.CharField(_("object kind"), max_length=10, choices=Kind.choices)
    object_id = models.BigIntegerField(_("object id"))
    broker = models.ForeignKey(Broker, on_delete=models.PROTECT, related_name="+", verbose_name=_("broker"))
    token_hash = models.CharField(max_length=64, editable=False)
    transfer_hash = models.CharField(max_length=64, editable=False)
    created_at = models.DateTimeField(_("created"), editable=False)

    class Meta:
        verbose_name = _("owner token")
        verbose_name_plural = _("owner tokens")
        constraints = [models.UniqueConstraint(fields=["kind", "object_id"], name="owner_token_one_per_object")]

    def __str__(self) -> str:
        return f"{self.kind} {self.object_id}"


class IntegrationKey(models.Model):
    """A key of a system that is not a broker: the organiser's bank feed (guarantees and payments), the live
    auction engine (results) or the CDB administrator. Same `Authorization: Bearer <secret>` header and the
    same hashing as `ApiKey`; it opens only the endpoints of its role, never a broker's."""

    class Role(models.TextChoices):
        BANK_FEED = "bank_feed", _("bank feed (guarantees and payments)")
        AUCTION_ENGINE = "auction_engine", _("auction engine (results)")
        ADMIN = "admin", _("CDB administrator")

    role = models.CharField(_("role"), max_length=20, choices=Role.choices)
    name = models.CharField(_("name"), max_length=100)
    prefix = models.CharField(_("key prefix"), max_length=8, db_index=True, editable=False)
    secret_hash = models.CharField(_("SHA-256 of the secret"), max_length=64, editable=False)
    created_at = models.DateTimeField(_("created"), editable=False)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("integration key")
        verbose_name_plural = _("integration keys")

    def __str__(self) -> str:
        return f"{self.name} ({self.get_role_display()}, {self.prefix}…)"


class SpentTransfer(models.Model):
    """A transfer key that has moved its object once (single use): kept, hashed, to say so when it comes back."""

    kind = models.CharField(_("object kind"), max_length=10, choices=OwnerToken.Kind.choices)
    object_id = models.BigIntegerField(_("object id"))
    transfer_hash = models.CharField(max_length=64, unique=True, editable=False)
    from_broker = models.ForeignKey(Broker, on_delete=models.PROTECT, related_name="+", verbose_name=_("from"))
    to_broker = models.ForeignKey(Broker, on_delete=models.PROTECT, related_name="+", verbose_name=_("to"))
    used_at = models.DateTimeField(_("used"))

    class Meta:
        ordering = ["-used_at", "-id"]
        verbose_name = _("spent transfer")
        verbose_name_plural = _("spent transfers")

    def __str__(self) -> str:
        return f"{self.kind} {self.object_id} at {self.used_at:%Y-%m-%d %H:%M}"
