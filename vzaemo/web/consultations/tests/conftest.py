"""The consultations page tests share the consultations app's fixtures: imported here, pytest finds them for this directory too."""

from vzaemo.consultations.tests.conftest import _fresh_calendar, unchanged  # noqa: F401
