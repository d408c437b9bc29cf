"""People, the organisations they act for, and their roles there."""

from __future__ import annotations

from typing import ClassVar

from django.contrib.auth.models import AbstractUser, BaseUserManager
from django.core.validators import RegexValidator
from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from vzaemo.core import clock

edrpou_validator = RegexValidator(r"^\d{8}$", _("An EDRPOU code is exactly 8 digits."))


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def _create(self, email: str, password: str | None, **extra: object) -> User:
        if not email:
            raise ValueError("An email address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email: str, password: str | None = None, **extra: object) -> User:
        extra.setdefault("is_staff", False)
        extra.setdefault("is_superuser", False)
        return self._create(email, password, **extra)

    def create_superuser(self, email: str, password: str | None = None, **extra: object) -> User:
        extra.setdefault("is_staff", True)
        extra.setdefault("is_superuser", True)
        return self._create(email, password, **extra)


class User(AbstractUser):
    """A person. Signs in with an email address; `email_verified` is set when allauth confirms it."""

    username = None  # type: ignore[assignment]
    first_name = None  # type: ignore[assignment]
    last_name = None  # type: ignore[assignment]
    email = models.EmailField(_("email address"), unique=True)
    full_name = models.CharField(_("full name"), max_length=200)
    place_of_residence = models.CharField(_("place of residence"), max_length=300, blank=True)
    # Kept on the row (not joined from allauth's EmailAddress) because the signing path reads it
    # on every signature.
    email_verified = models.BooleanField(_("email verified"), default=False)

    USERNAME_FIELD = "email"
    REQUIRED_FIELDS = ["full_name"]

    # Django's documented custom-user pattern (a BaseUserManager keyed on email); django-stubs types
    # AbstractUser.objects as auth's username-based UserManager, which this model cannot use.
    objects: ClassVar[UserManager] = UserManager()  # type: ignore[assignment]

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self) -> str:
        return self.full_name or self.email

    def get_full_name(self) -> str:
        return self.full_name

    def get_short_name(self) -> str:
        return self.full_name.split(" ")[0] if self.full_name else self.email


class Region(models.TextChoices):
    """Oblasts and cities with special status (Constitution art. 133)."""

    NATIONAL = "national", _("National")
    VINNYTSIA = "vinnytsia", _("Vinnytsia Oblast")
    VOLYN = "volyn", _("Volyn Oblast")
    DNIPROPETROVSK = "dnipropetrovsk", _("Dnipropetrovsk Oblast")
    DONETSK = "donetsk", _("Donetsk Oblast")
    ZHYTOMYR = "zhytomyr", _("Zhytomyr Oblast")
    ZAKARPATTIA = "zakarpattia", _("Zakarpattia Oblast")
    ZAPORIZHZHIA = "zaporizhzhia", _("Zaporizhzhia Oblast")
    IVANO_FRANKIVSK = "ivano_frankivsk", _("Ivano-Frankivsk Oblast")
    KYIV_OBLAST = "kyiv_oblast", _("Kyiv Oblast")
    KIROVOHRAD = "kirovohrad", _("Kirovohrad Oblast")
    LUHANSK = "luhansk", _("Luhansk Oblast")
    LVIV = "lviv", _("Lviv Oblast")
    MYKOLAIV = "mykolaiv", _("Mykolaiv Oblast")
    ODESA = "odesa", _("Odesa Oblast")
    POLTAVA = "poltava", _("Poltava Oblast")
    RIVNE = "rivne", _("Rivne Oblast")
    SUMY = "sumy", _("Sumy Oblast")
    TERNOPIL = "ternopil", _("Ternopil Oblast")
    KHARKIV = "kharkiv", _("Kharkiv Oblast")
    KHERSON = "kherson", _("Kherson Oblast")
    KHMELNYTSKYI = "khmelnytskyi", _("Khmelnytskyi Oblast")
    CHERKASY = "cherkasy", _("Cherkasy Oblast")
    CHERNIVTSI = "chernivtsi", _("Chernivtsi Oblast")
    CHERNIHIV = "chernihiv", _("Chernihiv Oblast")
    CRIMEA = "crimea", _("Autonomous Republic of Crimea")
    KYIV_CITY = "kyiv_city", _("Kyiv City")
    SEVASTOPOL = "sevastopol", _("Sevastopol City")


class AuthorityKind(models.TextChoices):
    HEAD_OF_STATE = "head_of_state", _("President of Ukraine")
    PARLIAMENT = "parliament", _("Verkhovna Rada")
    CABINET = "cabinet", _("Cabinet of Ministers")
    CENTRAL_EXECUTIVE = "central_executive", _("central executive body")
    LOCAL_STATE_ADMINISTRATION = "local_state_administration", _("local state administration")
    LOCAL_SELF_GOVERNMENT = "local_self_government", _("local self-government body")
    POLICE_UNIT = "police_unit", _("police unit")
    OTHER = "other", _("other public body")


class Authority(models.Model):
    """A public body that receives petitions, appeals and runs consultations."""

    slug = models.SlugField(_("short name (URL)"), max_length=80, unique=True)
    name_uk = models.CharField(_("name (Ukrainian)"), max_length=300)
    name_en = models.CharField(_("name (English)"), max_length=300)
    kind = models.CharField(_("kind"), max_length=40, choices=AuthorityKind.choices)
    edrpou = models.CharField(_("EDRPOU code"), max_length=8, unique=True, validators=[edrpou_validator])
    parent = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
        verbose_name=_("parent authority"),
    )
    region = models.CharField(_("region"), max_length=30, choices=Region.choices, default=Region.NATIONAL)
    email = models.EmailField(_("contact email"), blank=True)
    website = models.URLField(_("website"), blank=True)
    accepts_petitions = models.BooleanField(
        _("accepts e-petitions"),
        default=False,
        help_text=_("Law 393/96 art. 23-1: the President, the Rada, the Cabinet and local self-government bodies."),
    )
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["name_uk"]
        verbose_name = _("authority")
        verbose_name_plural = _("authorities")
        constraints = [
            models.CheckConstraint(condition=~models.Q(parent=models.F("id")), name="authority_not_own_parent"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        return self.name_en if (get_language() or "uk").startswith("en") and self.name_en else self.name_uk


class LegalForm(models.TextChoices):
    PUBLIC_ORGANISATION = "public_organisation", _("public organisation (громадська організація)")
    PUBLIC_UNION = "public_union", _("public union (громадська спілка)")
    CHARITY = "charity", _("charitable organisation")
    CREATIVE_UNION = "creative_union", _("creative union")
    OTHER = "other", _("other")


class CivilSocietyOrganisation(models.Model):
    """A CSO (інститут громадянського суспільства) registered in Ukraine."""

    slug = models.SlugField(_("short name (URL)"), max_length=80, unique=True)
    name = models.CharField(_("name"), max_length=300)
    edrpou = models.CharField(_("EDRPOU code"), max_length=8, unique=True, validators=[edrpou_validator])
    legal_form = models.CharField(_("legal form"), max_length=30, choices=LegalForm.choices)
    registered_on = models.DateField(_("registration date"))
    email = models.EmailField(_("contact email"))
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    website = models.URLField(_("website"), blank=True)
    address = models.CharField(_("address"), max_length=300, blank=True)
    region = models.CharField(_("region"), max_length=30, choices=Region.choices, default=Region.NATIONAL)

    class Meta:
        ordering = ["name"]
        verbose_name = _("civil society organisation")
        verbose_name_plural = _("civil society organisations")

    def __str__(self) -> str:
        return self.name


class Role(models.TextChoices):
    OFFICIAL = "official", _("official")
    MODERATOR = "moderator", _("moderator")
    RESPONDER = "responder", _("responder")
    ADMIN = "admin", _("administrator")
    REPRESENTATIVE = "representative", _("representative")


AUTHORITY_ROLES = frozenset({Role.OFFICIAL, Role.MODERATOR, Role.RESPONDER, Role.ADMIN})
CSO_ROLES = frozenset({Role.REPRESENTATIVE, Role.ADMIN})


class Membership(models.Model):
    """A person's role at exactly one organisation (an authority or a CSO)."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="memberships", verbose_name=_("user"))
    authority = models.ForeignKey(
        Authority,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="memberships",
        verbose_name=_("authority"),
    )
    cso = models.ForeignKey(
        CivilSocietyOrganisation,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="memberships",
        verbose_name=_("civil society organisation"),
    )
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)
    # Time comes only from core.clock (docs/design.md rule 3), also for rows the admin creates.
    created_at = models.DateTimeField(_("since"), default=clock.now, editable=False)

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        constraints = [
            models.CheckConstraint(
                condition=(
                    models.Q(authority__isnull=False, cso__isnull=True)
                    | models.Q(authority__isnull=True, cso__isnull=False)
                ),
                name="membership_exactly_one_organisation",
            ),
            models.CheckConstraint(
                condition=models.Q(cso__isnull=True) | models.Q(role__in=sorted(CSO_ROLES)),
                name="membership_cso_role_valid",
            ),
            models.CheckConstraint(
                condition=models.Q(authority__isnull=True) | models.Q(role__in=sorted(AUTHORITY_ROLES)),
                name="membership_authority_role_valid",
            ),
            models.UniqueConstraint(fields=["user", "authority", "role"], name="membership_authority_role_unique"),
            models.UniqueConstraint(fields=["user", "cso", "role"], name="membership_cso_role_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.user} — {self.get_role_display()} @ {self.authority or self.cso}"
