"""Request and response bodies of the broker API (openprocurement spelling: `{"data": ...}`)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Annotated, Any, Literal

from ninja import Field, Schema
from pydantic import ConfigDict, field_validator

# Database ids: positive and within a signed 64-bit integer (a larger one is 422, never a server error).
Id = Annotated[int, Field(ge=1, le=2**63 - 1)]
# Dates a request may carry: far outside any auction, and far enough from datetime's own limits (years 1 and 9999)
# that converting them to Kyiv time or adding a term never overflows.
YEARS = range(1900, 9000)


class Body(Schema):
    """Every request body and its parts: no string may carry NUL, which PostgreSQL cannot store."""

    @field_validator("*", mode="after")
    @classmethod
    def _no_nul(cls, value: Any) -> Any:
        if isinstance(value, str) and "\x00" in value:
            raise ValueError("Must not contain the NUL character (\\u0000).")
        return value


class Money(Body):
    amount: Decimal = Field(..., examples=["100000.00"])
    currency: Literal["UAH"] = "UAH"


class LotData(Body):
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


class LotIn(Body):
    data: LotData


class Period(Body):
    startDate: dt.datetime | None = None  # noqa: N815

    @field_validator("startDate", mode="after")
    @classmethod
    def _plausible(cls, value: dt.datetime | None) -> dt.datetime | None:
        if value is not None and value.year not in YEARS:
            raise ValueError(f"Must be a date between the years {YEARS.start} and {YEARS.stop - 1}.")
        return value


class AuctionData(Body):
    lot_id: Id
    procedure: Literal["english", "dutch", "fixed_price"]
    auctionPeriod: Period | None = None  # noqa: N815


class AuctionIn(Body):
    data: AuctionData


class Bidder(Body):
    name: str = Field(..., max_length=300)
    identifier: str = Field(..., max_length=10, description="EDRPOU (8 digits) or RNOKPP (10 digits)")


class BidData(Body):
    bidder: Bidder
    value: Money | None = None


class BidIn(Body):
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


class LotPatchData(Body):
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


class LotPatchIn(Body):
    data: LotPatchData


class AuctionPatchData(Body):
    """A draft's procedure or start. `status` is never PATCHed (publish is a verb)."""

    model_config = ConfigDict(extra="forbid")
    procedure: Literal["english", "dutch", "fixed_price"] | None = None
    auctionPeriod: Period | None = None  # noqa: N815


class AuctionPatchIn(Body):
    data: AuctionPatchData


class TransferData(Body):
    transfer: str = Field(..., max_length=64, description="The object's `access.transfer` key, from its owner.")


class TransferIn(Body):
    data: TransferData


class ReasonData(Body):
    reason: str = Field(..., max_length=2_000)


class ReasonIn(Body):
    data: ReasonData


class NoteData(Body):
    note: str = Field(..., max_length=2_000)


class NoteIn(Body):
    data: NoteData


class ProtocolData(Body):
    url: str = Field(..., max_length=2_000, description="The permanent URL the document service signed.")


class ProtocolIn(Body):
    data: ProtocolData


class DocumentData(Body):
    hash: str = Field(..., pattern=r"^sha256:[0-9a-fA-F]{64}$", examples=["sha256:" + "0" * 64])
    title: str = Field(..., max_length=255)
    format: str = Field(..., max_length=100, examples=["application/pdf"])
    mode: Literal["real", "test"] = "real"


class DocumentIn(Body):
    data: DocumentData


# --- integrations -----------------------------------------------------------------------------------------


class GuaranteeData(Body):
    bid_id: Id
    value: Money
    reference: str = Field(..., max_length=100, description="The bank's payment reference")


class GuaranteeIn(Body):
    data: GuaranteeData


class PaymentData(Body):
    award_id: Id
    value: Money
    reference: str = Field(..., max_length=100, description="The bank's payment reference")


class PaymentIn(Body):
    data: PaymentData


class Ranked(Body):
    bid_id: Id
    value: Money


class ResultData(Body):
    ranking: list[Ranked] = Field(..., max_length=1_000, description="Best first; empty when nobody bid")


class ResultIn(Body):
    data: ResultData
