"""Request and response bodies of the broker API (openprocurement spelling: `{"data": ...}`)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Annotated, Any, Literal

from ninja import Field, Schema

# Database ids: positive and within a signed 64-bit integer (a larger one is 422, never a server error).
Id = Annotated[int, Field(ge=1, le=2**63 - 1)]


class Money(Schema):
    amount: Decimal = Field(..., examples=["100000.00"])
    currency: Literal["UAH"] = "UAH"


class LotData(Schema):
    organiser_id: Id
    organiser_kind: Literal["state", "private"]
    title: str = Field(..., max_length=300)
    description: str = Field(..., max_length=20_000)
    category: str
    region: str
    address: str = Field("", max_length=500)
    enforcementProceeding: str = Field(..., max_length=50)  # noqa: N815 - the API's spelling
    encumbrances: str = Field("", max_length=20_000)
    value: Money
    mode: Literal["real", "test"] = "real"


class LotIn(Schema):
    data: LotData


class Period(Schema):
    startDate: dt.datetime | None = None  # noqa: N815


class AuctionData(Schema):
    lot_id: Id
    procedure: Literal["english", "dutch", "fixed_price"]
    auctionPeriod: Period | None = None  # noqa: N815


class AuctionIn(Schema):
    data: AuctionData


class Bidder(Schema):
    name: str = Field(..., max_length=300)
    identifier: str = Field(..., max_length=10, description="EDRPOU (8 digits) or RNOKPP (10 digits)")


class BidData(Schema):
    bidder: Bidder
    value: Money | None = None


class BidIn(Schema):
    data: BidData


class Access(Schema):
    token: str
    transfer: str


class DataOut(Schema):
    data: dict[str, Any]


class CreatedOut(Schema):
    data: dict[str, Any]
    access: Access


class NextPage(Schema):
    offset: str
    uri: str


class FeedOut(Schema):
    data: list[dict[str, Any]]
    next_page: NextPage


class ErrorItem(Schema):
    location: str
    name: str
    description: str


class ErrorsOut(Schema):
    errors: list[ErrorItem]
