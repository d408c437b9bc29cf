"""The responsiveness page tests share the responsiveness app's fixtures: imported here, pytest finds them for this directory too."""

from vzaemo.responsiveness.tests.conftest import _fresh_state, duty  # noqa: F401
