"""/api/broker/v1/: the NinjaAPI that mounts one router per resource (`vzaemo.broker_api.routers`).

Reads are public (a broker's key only adds its own bids); writes need a broker key and, for an existing
object, its owner token (`X-Access-Token` header or `acc_token` query). Endpoints are thin (docs/design.md
rule 1): parse, check, call one service.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ninja import NinjaAPI

from vzaemo.broker_api import errors
from vzaemo.broker_api.routers import auctions, awards, bids, documents, integrations, lots
from vzaemo.broker_api.throttling import FixedWindowThrottle

if TYPE_CHECKING:
    from ninja.operation import Operation


class BrokerApi(NinjaAPI):
    def get_openapi_operation_id(self, operation: Operation) -> str:
        # Clients generate method names from operation ids, so they are part of the published contract
        # (docs/openapi.json); they were minted when every endpoint lived in this module, and stay.
        return f"vzaemo_broker_api_api_{operation.view_func.__name__}"


api = BrokerApi(
    title="Vzaemo broker API",
    version="1",
    description="The open API of the arrested-asset auctions CDB for accredited broker platforms.",
    urls_namespace="broker_api",
    docs_url="/docs",
    throttle=[FixedWindowThrottle()],
)
errors.install(api)

api.add_router("", auctions.router)
api.add_router("", lots.router)
api.add_router("", bids.router)
api.add_router("", awards.router)
api.add_router("", documents.router)
api.add_router("", integrations.router)
