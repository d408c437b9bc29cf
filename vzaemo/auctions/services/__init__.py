"""Every write to the auction CDB, one named service per change (`<entity>_<verb>`), one module per entity.

Callers import from here (`from vzaemo.auctions import services; services.lot_create(...)`); which module
holds a service is this package's own business. `_common` holds what all of them share: the auction row
lock, the revision and audit entry of every write, the checks of money and text.
"""

from vzaemo.auctions.permissions import BANK_FEED, CDB_ADMIN, CHRONOGRAPH, LIVE_ENGINE, OrganiserBroker, SystemActor
from vzaemo.auctions.services.auctions import (
    auction_cancel,
    auction_create,
    auction_deadlines_apply,
    auction_end_tendering,
    auction_publish,
    auction_record_result,
    auction_transfer,
    auction_update_draft,
)
from vzaemo.auctions.services.awards import (
    PROTOCOL,
    award_confirm_payment,
    award_default,
    award_disqualify,
    award_upload_protocol,
    award_withdraw_waiting,
)
from vzaemo.auctions.services.bids import bid_confirm_guarantee, bid_create, bid_submit, bid_transfer, bid_withdraw
from vzaemo.auctions.services.contracts import contract_cancel, contract_sign
from vzaemo.auctions.services.lots import lot_create, lot_transfer, lot_update
from vzaemo.auctions.services.photos import lot_photo_add

__all__ = [
    "BANK_FEED",
    "CDB_ADMIN",
    "CHRONOGRAPH",
    "LIVE_ENGINE",
    "PROTOCOL",
    "OrganiserBroker",
    "SystemActor",
    "auction_cancel",
    "auction_create",
    "auction_deadlines_apply",
    "auction_end_tendering",
    "auction_publish",
    "auction_record_result",
    "auction_transfer",
    "auction_update_draft",
    "award_confirm_payment",
    "award_default",
    "award_disqualify",
    "award_upload_protocol",
    "award_withdraw_waiting",
    "bid_confirm_guarantee",
    "bid_create",
    "bid_submit",
    "bid_transfer",
    "bid_withdraw",
    "contract_cancel",
    "contract_sign",
    "lot_create",
    "lot_photo_add",
    "lot_transfer",
    "lot_update",
]
