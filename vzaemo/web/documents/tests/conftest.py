"""The documents page tests share the documents app's fixtures: imported here, pytest finds them for this directory too."""

from vzaemo.documents.tests.conftest import documents_root, frozen, signing_key, unchanged  # noqa: F401
