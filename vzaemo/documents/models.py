"""Documents: a file registered by its sha256 first, uploaded once, never changed afterwards.

Immutability (openprocurement fixes `title`, `format`, `url`, `hash`): after `document_register` inserts the
row, the only write it ever sees is `document_upload` filling `size` and `uploaded_at` once. A new version is
a new document that names its predecessor in `previous`. Three layers hold this: no service updates a
document; the admin is read-only; and a database trigger (migration 0002) refuses any UPDATE that changes
the registered metadata or an upload already recorded, so even raw SQL or a future careless `save()` fails.

The owner is a pair of strings (`owner_type`, `owner_id`, e.g. ("broker", "42")) so this app depends on
no other app; the broker API decides what an owner is.
"""

from __future__ import annotations

import mimetypes
import uuid

from django.db import models
from django.utils.translation import gettext_lazy as _

SHA256_PATTERN = r"^[0-9a-f]{64}$"


class DocumentMode(models.TextChoices):
    REAL = "real", _("real")
    # Documents of brokers' test (sandbox) objects, like openprocurement's `mode=test`.
    TEST = "test", _("test")


class Document(models.Model):
    # The public identifier: it is in every URL, so it is random (uuid4), never a sequence.
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    sha256 = models.CharField(_("SHA-256"), max_length=64, help_text=_("Lowercase hex, registered before upload."))
    title = models.CharField(_("title"), max_length=255)
    format = models.CharField(_("format (MIME type)"), max_length=100)
    owner_type = models.CharField(_("owner type"), max_length=40)
    owner_id = models.CharField(_("owner id"), max_length=64)
    mode = models.CharField(_("mode"), max_length=4, choices=DocumentMode.choices, default=DocumentMode.REAL)
    previous = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="next_versions",
        verbose_name=_("previous version"),
    )
    # Relative to the documents root (conf.root()); random, chosen at registration, never from the client.
    storage_name = models.CharField(max_length=100, unique=True, editable=False)
    registered_at = models.DateTimeField(_("registered"))
    size = models.PositiveBigIntegerField(_("size, bytes"), null=True, blank=True)
    uploaded_at = models.DateTimeField(_("uploaded"), null=True, blank=True)

    class Meta:
        ordering = ["-registered_at"]
        verbose_name = _("document")
        verbose_name_plural = _("documents")
        indexes = [models.Index(fields=["owner_type", "owner_id", "-registered_at"], name="document_owner_idx")]
        constraints = [
            models.CheckConstraint(condition=models.Q(sha256__regex=SHA256_PATTERN), name="document_sha256_hex"),
            models.CheckConstraint(condition=models.Q(mode__in=DocumentMode.values), name="document_mode_valid"),
            models.CheckConstraint(
                condition=(models.Q(size__isnull=True) & models.Q(uploaded_at__isnull=True))
                | (models.Q(size__isnull=False) & models.Q(uploaded_at__isnull=False)),
                name="document_uploaded_has_size",
            ),
            models.CheckConstraint(condition=~models.Q(previous=models.F("id")), name="document_not_own_version"),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_uploaded(self) -> bool:
        return self.uploaded_at is not None

    @property
    def filename(self) -> str:
        """The name offered on download: the title, with the format's extension when it has none."""
        extension = mimetypes.guess_extension(self.format) or ""
        if extension and not self.title.lower().endswith(extension):
            return f"{self.title}{extension}"
        return self.title
