"""Shared fixtures of the consultation tests."""

from __future__ import annotations
