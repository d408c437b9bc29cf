"""The petitions page tests share the petitions app's fixtures: imported here, pytest finds them for this directory too."""

from vzaemo.petitions.tests.conftest import _fresh_process_state  # noqa: F401
