"""Request and response bodies of the broker API (openprocurement spelling: `{"data": ...}`)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Annotated, Any, Literal

from ninja import Field, Schema
from pydantic import ConfigDict

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


# --- edits, verbs, transfers --------------------------------------------------------------------------


class LotPatchData(Schema):
    """Only the fields sent change. The price and the category only while the lot has no auction."""

    model_config = ConfigDict(extra="forbid")  # a field that cannot be edited here is 422, never ignored

    title: str | None = Field(None, max_length=300)
    description: str | None = Field(None, max_length=20_000)
    category: str | None = None
    region: str | None = None
    address: str | None = Field(None, max_length=500)
    enforcementProceeding: str | None = Field(None, max_length=50)  # noqa: N815
    encumbrances: str | None = Field(None, max_length=20_000)
    value: Money | None = None


class LotPatchIn(Schema):
    data: LotPatchData


class AuctionPatchData(Schema):
    """A draft's procedure or start. `status` is never PATCHed (publish is a verb)."""

    model_config = ConfigDict(extra="forbid")
    procedure: Literal["english", "dutch", "fixed_price"] | None = None
    auctionPeriod: Period | None = None  # noqa: N815


class AuctionPatchIn(Schema):
    data: AuctionPatchData


class TransferData(Schema):
    transfer: str = Field(..., max_length=64, description="The object's `access.transfer` key, from its owner.")


class TransferIn(Schema):
    data: TransferData


class ReasonData(Schema):
    reason: str = Field(..., max_length=2_000)


class ReasonIn(Schema):
    data: ReasonData


class NoteData(Schema):
    note: str = Field(..., max_length=2_000)


class NoteIn(Schema):
    data: NoteData


class ProtocolData(Schema):
    url: str = Field(..., max_length=2_000, description="The permanent URL the document service signed.")


class ProtocolIn(Schema):
    data: ProtocolData


class DocumentData(Schema):
    hash: str = Field(..., pattern=r"^sha256:[0-9a-fA-F]{64}$", examples=["sha256:" + "0" * 64])
    title: str = Field(..., max_length=255)
    format: str = Field(..., max_length=100, examples=["application/pdf"])
    mode: Literal["real", "test"] = "real"


class DocumentIn(Schema):
    data: DocumentData


# --- integrations -----------------------------------------------------------------------------------------


class GuaranteeData(Schema):
    bid_id: Id
    value: Money
    reference: str = Field(..., max_length=100, description="The bank's payment reference")


class GuaranteeIn(Schema):
    data: GuaranteeData


class PaymentData(Schema):
    award_id: Id
    value: Money
    reference: str = Field(..., max_length=100, description="The bank's payment reference")


class PaymentIn(Schema):
    data: PaymentData


class Ranked(Schema):
    bid_id: Id
    value: Money


class ResultData(Schema):
    ranking: list[Ranked] = Field(..., max_length=1_000, description="Best first; empty when nobody bid")


class ResultIn(Schema):
    data: ResultData
