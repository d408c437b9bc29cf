"""allauth's texts that the project translates itself, so its pages read like the rest of the site.

Two reasons: Django's own auth catalogue comes earlier in INSTALLED_APPS and shadows some of allauth's
translations with English ("Email"), and allauth's Ukrainian catalogue keeps English title case
("Відновлення Пароля", "Забули Пароль?"). The project's catalogue (LOCALE_PATHS) wins over both; listing the
msgids here keeps `makemessages` from dropping them as obsolete. Nothing imports this module.
"""

from django.utils.translation import gettext_noop

TEXTS = [
    gettext_noop("Email"),
    gettext_noop("Remember Me"),
    gettext_noop("Current Password"),
    gettext_noop("New Password"),
    gettext_noop("New Password (again)"),
    gettext_noop("Social Accounts"),
    gettext_noop("Account Inactive"),
    gettext_noop("Confirm Access"),
    gettext_noop("Enter Sign-In Code"),
    gettext_noop("Password Reset"),
    gettext_noop("Make Primary"),
    gettext_noop("Re-send Verification"),
    gettext_noop("Add Email Address"),
    gettext_noop("Add Email"),
    gettext_noop("Account Already Exists"),
    gettext_noop("Email Changed"),
    gettext_noop("Email Confirmation"),
    gettext_noop("Please Confirm Your Email Address"),
    gettext_noop("Email Removed"),
    gettext_noop("Sign-In Code"),
    gettext_noop("Password Changed"),
    gettext_noop("Password Reset Email"),
    gettext_noop("Password Set"),
    gettext_noop("Unknown Account"),
    gettext_noop("Email Address"),
    gettext_noop("Cancel Change"),
    gettext_noop("Change Email"),
    gettext_noop("Confirm Email Address"),
    gettext_noop("Change Password"),
    gettext_noop("Forgot Password?"),
    gettext_noop("Reset My Password"),
    gettext_noop("Bad Token"),
    gettext_noop("Set Password"),
    gettext_noop("Request Code"),
    gettext_noop("Sign Up Closed"),
    gettext_noop("Verify Your Email Address"),
    gettext_noop("Account Connections"),
    gettext_noop("Authenticator App"),
    gettext_noop("Recovery Codes"),
    gettext_noop("Activate Authenticator App"),
    gettext_noop("Deactivate Authenticator App"),
    gettext_noop("Authenticator App Activated"),
    gettext_noop("Authenticator App Deactivated"),
    gettext_noop("New Recovery Codes Generated"),
    gettext_noop("Third-Party Login Failure"),
    gettext_noop("Add a Third-Party Account"),
    gettext_noop("Third-Party Account Connected"),
    gettext_noop("Third-Party Account Disconnected"),
    gettext_noop("Login Cancelled"),
    gettext_noop("IP Address"),
    gettext_noop("Sign Out Other Sessions"),
    gettext_noop("User Sessions"),
    gettext_noop("Two-Factor Authentication"),
    gettext_noop("Sign Up"),
    gettext_noop("Password (again)"),
    # Django's own Ukrainian reads "не може складається".
    gettext_noop("Your password can’t be entirely numeric."),  # noqa: RUF001 - Django's msgid has this apostrophe
]
