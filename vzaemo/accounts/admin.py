from __future__ import annotations

from typing import TYPE_CHECKING

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _

from vzaemo.accounts.models import Authority, CivilSocietyOrganisation, Membership, User
from vzaemo.core.admin.audited import AuditedModelAdmin
from vzaemo.core.audit_tags import AuditTag

if TYPE_CHECKING:
    # Generic only for the type checker: Django's classes are not subscriptable at run time.
    _TabularInline = admin.TabularInline[Membership, User]
    _BaseUserAdmin = BaseUserAdmin[User]
else:
    _TabularInline = admin.TabularInline
    _BaseUserAdmin = BaseUserAdmin


class MembershipInline(_TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ["user"]


@admin.register(User)
class UserAdmin(AuditedModelAdmin, _BaseUserAdmin):
    audit_tag = AuditTag.ACCOUNT_USER_CHANGE
    audit_exclude = ("password",)
    ordering = ["email"]
    list_display = ["email", "full_name", "email_verified", "is_staff", "is_active"]
    list_filter = ["email_verified", "is_staff", "is_active"]
    search_fields = ["email", "full_name"]
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        (_("Person"), {"fields": ("full_name", "place_of_residence", "email_verified")}),
        (_("Permissions"), {"fields": ("is_active", "is_staff", "is_superuser", "groups", "user_permissions")}),
        (_("Dates"), {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = ((None, {"classes": ("wide",), "fields": ("email", "full_name", "password1", "password2")}),)


@admin.register(Authority)
class AuthorityAdmin(AuditedModelAdmin):
    audit_tag = AuditTag.ACCOUNT_AUTHORITY_CHANGE
    list_display = ["name_uk", "kind", "edrpou", "region", "parent", "accepts_petitions", "is_active"]
    list_filter = ["kind", "region", "accepts_petitions", "is_active"]
    search_fields = ["name_uk", "name_en", "edrpou", "slug"]
    autocomplete_fields = ["parent"]
    prepopulated_fields = {"slug": ["name_en"]}
    inlines = [MembershipInline]


@admin.register(CivilSocietyOrganisation)
class CivilSocietyOrganisationAdmin(AuditedModelAdmin):
    audit_tag = AuditTag.ACCOUNT_CSO_CHANGE
    list_display = ["name", "edrpou", "legal_form", "registered_on", "region"]
    list_filter = ["legal_form", "region"]
    search_fields = ["name", "edrpou", "slug"]
    inlines = [MembershipInline]


@admin.register(Membership)
class MembershipAdmin(AuditedModelAdmin):
    audit_tag = AuditTag.ACCOUNT_MEMBERSHIP_CHANGE
    list_display = ["user", "role", "authority", "cso", "created_at"]
    list_filter = ["role"]
    search_fields = ["user__email", "user__full_name", "authority__name_uk", "cso__name"]
    autocomplete_fields = ["user", "authority", "cso"]
