"""The index follows the audit log: every registered module's public items appear, change and go; private never."""

from __future__ import annotations

import pytest

from vzaemo.core import audit, participation
from vzaemo.onestop import projection
from vzaemo.onestop.models import IndexCursor, IndexedItem
from vzaemo.onestop.tests.conftest import index_now
from vzaemo.onestop.tests.examples import EXAMPLES, MARKER
from vzaemo.petitions import services as petitions
from vzaemo.petitions.tests.factories import PetitionFactory, moderator_of, responder_of

# The sealer reads behind PostgreSQL's server-wide snapshot watermark (see conftest.index_now).
pytestmark = [pytest.mark.django_db, pytest.mark.serial]


def test_every_registered_source_has_an_example() -> None:
    assert set(EXAMPLES) == set(participation.kinds())


def test_every_source_satisfies_the_protocol() -> None:
    for source in participation.sources():
        assert isinstance(source, participation.Source)
        assert source.kind == source.kind.lower()
        assert " " not in source.kind
        assert str(source.label)
        assert str(source.label_plural)


@pytest.mark.parametrize("kind", sorted(EXAMPLES))
def test_refresh_projects_public_items_and_never_private_ones(kind: str) -> None:
    example = EXAMPLES[kind]()
    index_now()
    row = IndexedItem.objects.filter(kind=kind, object_id=example.object_id).first()
    if not example.is_public:
        assert row is None
        assert not IndexedItem.objects.filter(search_text__contains=MARKER.casefold()).filter(kind=kind).exists()
        return
    assert row is not None
    assert row.title == example.title
    assert row.authority_id == example.authority_id
    assert row.region == example.region
    assert MARKER.casefold() in row.search_text


@pytest.mark.parametrize("kind", sorted(EXAMPLES))
def test_rebuild_stores_what_the_refresh_stores(kind: str) -> None:
    EXAMPLES[kind]()
    index_now()
    followed = sorted(IndexedItem.objects.values_list("kind", "object_id", "status", "title", "search_text"))
    projection.index_rebuild()
    assert sorted(IndexedItem.objects.values_list("kind", "object_id", "status", "title", "search_text")) == followed


def test_a_change_is_followed_and_an_item_that_stops_being_public_leaves() -> None:
    petition = PetitionFactory(state="submitted")
    index_now()
    assert not IndexedItem.objects.filter(kind="petition", object_id=petition.pk).exists()  # awaiting moderation

    petitions.petition_publish(petition_id=petition.pk, moderator=moderator_of(petition.authority))
    index_now()
    row = IndexedItem.objects.get(kind="petition", object_id=petition.pk)
    assert row.status == "published"
    assert row.deadline is not None
    assert row.deadline_whose == "public"


def test_the_position_moves_and_a_second_run_reads_nothing() -> None:
    PetitionFactory(state="published")
    read = index_now()
    assert read > 0
    assert IndexCursor.objects.get().position == audit._head()[0]  # type: ignore[index]
    assert projection.index_refresh() == 0


def test_unsealed_entries_wait_for_the_sealer() -> None:
    """The projection reads the sealed chain only: an entry the sealer has not taken yet is not skipped, it waits."""
    petition = PetitionFactory(state="published")
    assert projection.index_refresh() == 0
    assert not IndexedItem.objects.filter(object_id=petition.pk).exists()
    index_now()
    assert IndexedItem.objects.filter(kind="petition", object_id=petition.pk).exists()


def test_answered_petition_moves_its_deadline_to_none() -> None:
    petition = PetitionFactory(state="under_consideration")
    index_now()
    row = IndexedItem.objects.get(kind="petition", object_id=petition.pk)
    assert row.deadline_whose == "authority"
    petitions.petition_answer(
        petition_id=petition.pk,
        official=responder_of(petition.authority),
        decision="supported",
        text="Міська рада підтримує петицію повністю.",
    )
    index_now()
    row.refresh_from_db()
    assert row.status == "answered"
    assert row.deadline is None


def test_the_chronograph_runs_the_projection() -> None:
    from vzaemo.core import chronograph

    assert any(job.name == "onestop.index" and job.func is projection.index_refresh for job in chronograph.jobs())


def test_the_reindex_command_rebuilds_the_index() -> None:
    from io import StringIO

    from django.core.management import call_command

    petition = PetitionFactory(state="published")
    out = StringIO()
    call_command("onestop_reindex", stdout=out)
    assert "1 public items" in out.getvalue()
    assert IndexedItem.objects.filter(kind="petition", object_id=petition.pk).exists()
