"""An auction's change history in words a citizen reads: "the winner did not pay; the guarantee was retained;
the runner-up was invited to sign the protocol", not JSON pointers.

The words are read from each revision's public patch (`auctions.selectors.auction_revisions_public`), one
sentence per kind of change; timestamps and cited rules, which every write stamps, say nothing on their own and
are left out. The raw patch stays in the broker API (`/auctions/{id}/revisions`) for anyone who needs it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from django.utils.translation import gettext as _

from vzaemo.auctions.states import AuctionStatus, AwardEndReason, AwardStatus, BidStatus, ContractStatus

Op = dict[str, Any]

# The same msgids as the sentences below, so they match in any language.
STORY_ORDER = (
    "The winner did not pay in time.",
    "The organiser disqualified the winner.",
    "The invited bidder withdrew.",
    "The guarantee was retained.",
    "The guarantee was returned.",
    "The next bidder in the ranking was invited to sign the protocol and pay.",
)

# Stamped on every write or shown elsewhere on the page (the rules are cited under their own heading).
SILENT = re.compile(
    r"^/(date|dateModified|endedAt|resultRecordedAt|rulesApplied(/.*)?|tenderPeriod(/\w+)?|auctionID|lot_id|attempt"
    r"|previous_id|mode|owner|procedure|title|description|markdownPercent|cancellationReason|bids)$"
    r"|^/(bids|awards|contracts)/\d+/(date|decidedAt|pendingSince|paidAt|dateSigned|rank|finalValue|qualified"
    r"|paymentPeriod/.*|protocolPeriod/.*|rulesApplied/.*|guarantee/(reference|paidAt)|endReason|cancellationReason)$"
)


def _auction_status(value: str) -> str:
    words: dict[str, str] = {
        AuctionStatus.TENDERING: _("The auction was published: bids are accepted."),
        AuctionStatus.AUCTION: _("Bidding closed: the auction itself is next."),
        AuctionStatus.QUALIFICATION: _("The auction's result was recorded: the winner is being checked."),
        AuctionStatus.AWARDED: _("The winner paid: the contract is to be signed."),
        AuctionStatus.COMPLETE: _("The contract was signed: the sale is complete."),
        AuctionStatus.UNSUCCESSFUL: _("The auction did not take place."),
        AuctionStatus.CANCELLED: _("The auction was cancelled."),
    }
    return words.get(value, "")


def _bid_status(value: str) -> str:
    words: dict[str, str] = {
        BidStatus.ACTIVE: _("A bidder's guarantee was confirmed: the bid is admitted."),
        BidStatus.INVALID: _("A bid was withdrawn or not admitted."),
    }
    return words.get(value, "")


def _award_status(index: int, value: str, end_reason: str) -> str:
    if value == AwardStatus.PENDING:
        if index == 0:
            return _("The winner was named and invited to sign the protocol and pay.")
        return _("The next bidder in the ranking was invited to sign the protocol and pay.")
    if value == AwardStatus.ACTIVE:
        return _("The winner signed the protocol and paid.")
    if value in (AwardStatus.UNSUCCESSFUL, AwardStatus.CANCELLED):
        reasons: dict[str, str] = {
            AwardEndReason.PAYMENT_DEFAULT: _("The winner did not pay in time."),
            AwardEndReason.DISQUALIFIED: _("The organiser disqualified the winner."),
            AwardEndReason.WITHDRAWN: _("The invited bidder withdrew."),
            AwardEndReason.CONTRACT_CANCELLED: _("The contract was cancelled, and the award with it."),
            AwardEndReason.AUCTION_CANCELLED: _("The auction was cancelled, and the award with it."),
        }
        return reasons.get(end_reason, _("The award ended."))
    return ""


def _contract_status(value: str) -> str:
    words: dict[str, str] = {
        ContractStatus.ACTIVE: _("The contract was signed."),
        ContractStatus.CANCELLED: _("The contract was cancelled."),
    }
    return words.get(value, "")


def _fields(path: str) -> str:
    words: dict[str, str] = {
        "value": _("The start price changed."),
        "minimalStep": _("The bid step changed."),
        "guarantee": _("The guarantee changed."),
        "auctionPeriod": _("The auction's start was set."),
        "documents": _("A document was added or changed."),
        "items": _("The description of the property changed."),
    }
    return words.get(path.split("/")[1], "")


def _sentence(op: Op, end_reasons: dict[int, str]) -> str | None:  # noqa: PLR0911, PLR0912 - one branch per kind of change
    """One operation in words; "" for one that says nothing by itself, None for one with no words yet."""
    path, value = str(op.get("path", "")), op.get("value")
    if path == "/id":
        return _("The auction was created.")
    if SILENT.match(path):
        return ""
    if path == "/status":
        return _auction_status(str(value))
    if re.fullmatch(r"/bids/\d+", path):
        return _("A bidder applied.") if op.get("op") == "add" else ""
    if re.fullmatch(r"/bids/\d+/status", path):
        return _bid_status(str(value))
    if re.fullmatch(r"/bids/\d+/guarantee/forfeited", path):
        return _("The guarantee was retained.") if value else _("The guarantee was returned.")
    if path == "/awards" and isinstance(value, list):
        # Awards made at once with the result: the first is the winner's, the rest wait their turn.
        return _award_status(0, AwardStatus.PENDING, "") if value else ""
    if path == "/contracts":
        return _("A contract was prepared for signing.") if value else ""
    if match := re.fullmatch(r"/awards/(\d+)(/status)?", path):
        index = int(match.group(1))
        status = str(value.get("status", "")) if isinstance(value, dict) else str(value)
        if match.group(2) is None and status == AwardStatus.WAITING:
            return ""
        return _award_status(index, status, end_reasons.get(index, ""))
    if re.fullmatch(r"/awards/\d+/protocol", path):
        return _("The auction protocol was uploaded.")
    if re.fullmatch(r"/contracts/\d+", path):
        return _("A contract was prepared for signing.") if op.get("op") == "add" else ""
    if re.fullmatch(r"/contracts/\d+/status", path):
        return _contract_status(str(value))
    return _fields(path) or None


def sentences(changes: Iterable[Op]) -> list[str]:
    """A revision's public patch in words, in order, each sentence once."""
    ops = list(changes)
    end_reasons = {
        int(match.group(1)): str(op.get("value") or "")
        for op in ops
        if (match := re.fullmatch(r"/awards/(\d+)/endReason", str(op.get("path", ""))))
    }
    said: list[str] = []
    unnamed = False
    for op in ops:
        sentence = _sentence(op, end_reasons)
        if sentence is None:
            unnamed = True
        elif sentence and sentence not in said:
            said.append(sentence)
        if said and said[0] == _("The auction was created."):
            # The first revision lists every field of the new auction: "created" says it all.
            return said[:1]
    if unnamed:
        said.append(_("Other details changed."))
    # What happened to a bidder before what it led to: "did not pay", then "guarantee retained", then "next invited".
    first = [_(text) for text in STORY_ORDER]
    return sorted(said, key=lambda sentence: first.index(sentence) if sentence in first else len(first))
