"""Ukrainian-aware normalisation, and the PostgreSQL full-text path with its GIN index."""

from __future__ import annotations

import pytest
from django.db import connection

from vzaemo.onestop import selectors
from vzaemo.onestop.models import IndexedItem
from vzaemo.onestop.search import normalise, prefix_tsquery, words
from vzaemo.onestop.tests.conftest import index_all
from vzaemo.petitions.tests.factories import PetitionFactory


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("М'ЯСО", "мясо"),
        ("м\u2019ясо", "мясо"),
        ("м\u02bcясо", "мясо"),
        ("Ґудзик", "гудзик"),
        ("ＰＥＴＩＴＩＯＮ", "petition"),  # noqa: RUF001 - full-width letters fold with NFKC
    ],
)
def test_normalise_folds_case_apostrophes_and_ge(text: str, expected: str) -> None:
    assert normalise(text) == expected


def test_query_words_drop_operators_and_are_bounded() -> None:
    assert words("сквер & (парк) | !фонтан:* 'м'ясо'") == ["сквер", "парк", "фонтан", "мясо"]
    assert len(words("слово " * 50)) == 8
    assert prefix_tsquery(["сквер", "парк"]) == "сквер:* & парк:*"


@pytest.mark.django_db
def test_an_empty_or_punctuation_only_query_lists_everything() -> None:
    petition = PetitionFactory(state="published")
    index_all()
    for query in ["", "   ", "&|!():*"]:
        found = list(selectors.search(selectors.Filters(query=query)))
        assert [item.object_id for item in found] == [petition.pk]


@pytest.mark.django_db
@pytest.mark.usefixtures("postgres_only")
def test_postgres_keeps_a_vector_under_a_gin_index_and_matches_prefixes() -> None:
    petition = PetitionFactory(state="published", title="Реконструкція стадіону в Ужгороді")
    index_all()
    assert IndexedItem.objects.filter(object_id=petition.pk, search_vector__isnull=False).exists()
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexdef FROM pg_indexes WHERE indexname = 'onestop_item_search_gin'")
        (definition,) = cursor.fetchone()
    assert "USING gin (search_vector)" in definition
    for query in ["реконструкц", "УЖГОРОД стадіон"]:
        assert [i.object_id for i in selectors.search(selectors.Filters(query=query))] == [petition.pk]
    assert not list(selectors.search(selectors.Filters(query="стадіон Львів")))
