"""The appeals page tests share the appeals app's fixtures: imported here, pytest finds them for this directory too."""

from vzaemo.appeals.tests.conftest import _media  # noqa: F401
