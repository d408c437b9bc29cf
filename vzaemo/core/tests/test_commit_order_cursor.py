"""The feed cursor of rows rewritten in place (core.commit_order.Position): opaque, versioned, strict."""

from __future__ import annotations

import base64

import pytest
from hypothesis import given
from hypothesis import strategies as st

from vzaemo.core.commit_order import CursorInvalid, Position


@given(stamp=st.integers(min_value=0, max_value=2**63 - 1), pk=st.integers(min_value=1, max_value=2**63 - 1))
def test_a_position_round_trips(stamp: int, pk: int) -> None:
    assert Position.decode(Position(stamp, pk).encode()) == Position(stamp, pk)


@pytest.mark.parametrize(
    "text",
    [
        "",
        "not base64 !",
        base64.urlsafe_b64encode(b"v2:1:2").decode(),  # another format version
        base64.urlsafe_b64encode(b"v1:1").decode(),
        base64.urlsafe_b64encode(b"v1:x:2").decode(),
        base64.urlsafe_b64encode(b"\xff\xfe").decode(),
    ],
)
def test_anything_else_is_refused(text: str) -> None:
    with pytest.raises(CursorInvalid):
        Position.decode(text)
