"""Who may do what: brokers by accreditation level and ownership, organisers by role at their office."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from vzaemo.accounts.models import Role
from vzaemo.accounts.selectors import has_authority_role
from vzaemo.auctions.models import Auction, Broker
from vzaemo.auctions.states import Mode

ORGANISER_ROLES = {Role.OFFICIAL, Role.ADMIN}


@dataclass(frozen=True)
class SystemActor:
    """A trusted integration acting without a person: the edges authenticate it before calling a service."""

    label: str

    def __str__(self) -> str:
        return self.label


BANK_FEED = SystemActor("bank-feed")  # the organiser's bank statement feed (a fake bank in the demo)
CHRONOGRAPH = SystemActor("chronograph")
LIVE_ENGINE = SystemActor("auction-engine")  # vzaemo.live (ADR 0010) records the auction result
CDB_ADMIN = SystemActor("cdb-admin")  # the CDB administrator's integration (openprocurement's `Administrator`)


@dataclass(frozen=True)
class OrganiserBroker:
    """The auction owner's broker acting for the organiser: as in openprocurement, the organiser works in
    its broker's platform, and that broker relays the organiser's decisions (protocol, disqualification,
    contract) to the CDB with the auction's owner token. The edge that checked the token builds this;
    a bare `Broker` is never taken for the organiser."""

    broker: Broker

    def __str__(self) -> str:
        return f"organiser via broker:{self.broker.pk}:{self.broker.name}"


def broker_may_create(broker: Broker, mode: str) -> bool:
    """Level `create`; a sandbox broker creates test objects only, and nobody mixes modes."""
    if not (broker.is_active and broker.can_create):
        return False
    return mode == Mode.TEST or not broker.sandbox


def broker_may_edit(broker: Any, owner_id: int) -> bool:
    return isinstance(broker, Broker) and broker.is_active and broker.can_edit and broker.pk == owner_id


def broker_may_take_over(broker: Any, mode: str) -> bool:
    """Ownership moves only to a broker that could have created the object and may edit it."""
    return isinstance(broker, Broker) and broker_may_create(broker, mode) and broker.can_edit


def broker_may_act_in(broker: Broker, auction: Auction) -> bool:
    """Bidders' brokers: the same levels as creating an object in the auction's mode."""
    return broker_may_create(broker, auction.mode)


def is_organiser(user: Any, auction: Auction) -> bool:
    if not getattr(user, "is_authenticated", False):
        return False
    return has_authority_role(user=user, authority_id=auction.lot.organiser_id, roles=ORGANISER_ROLES)


def may_act_for_organiser(actor: Any, auction: Auction) -> bool:
    """An official of the organiser's office, or the auction owner's broker (edit level) relaying for it."""
    if isinstance(actor, OrganiserBroker):
        return broker_may_edit(actor.broker, auction.owner_id)
    return is_organiser(actor, auction)


def may_record_result(actor: Any) -> bool:
    """The live auction engine, the CDB administrator's integration, or a superuser."""
    return actor is LIVE_ENGINE or actor is CDB_ADMIN or bool(getattr(actor, "is_superuser", False))


def may_confirm_payments(actor: Any, auction: Auction) -> bool:
    """The organiser's bank feed, or an official of the organiser's office entering a bank statement."""
    return actor is BANK_FEED or is_organiser(actor, auction)
