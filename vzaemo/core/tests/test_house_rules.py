"""The rules of the house hold over the whole tree, and each check catches a violation planted on purpose.

A planted tree is a few files under `tmp_path`; every line that breaks a rule ends with `# bad`, and the
check must report exactly those lines, so a check that goes blind or starts crying wolf fails here.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from vzaemo.core import house_rules
from vzaemo.core.house_rules import ALLOWLIST, RULES, Violation

ROOT = Path(__file__).resolve().parents[3]


@pytest.fixture(scope="module")
def real_tree() -> tuple[list[Violation], list[house_rules.Allowed]]:
    return house_rules.violations(ROOT)


def test_the_tree_keeps_the_house_rules(real_tree: tuple[list[Violation], list[house_rules.Allowed]]) -> None:
    found, _ = real_tree
    assert not found, "House rules broken (fix the code, or allowlist it in core/house_rules.py with a reason):\n" + (
        "\n".join(map(str, found))
    )


def test_every_allowlist_entry_still_excuses_something(
    real_tree: tuple[list[Violation], list[house_rules.Allowed]],
) -> None:
    _, stale = real_tree
    assert not stale, "Allowlist entries that excuse nothing any more; remove them:\n" + "\n".join(map(str, stale))


@pytest.mark.parametrize("allowed", ALLOWLIST, ids=lambda a: f"{a.rule}:{a.path}:{a.symbol}")
def test_every_allowlist_entry_names_a_rule_and_a_reason(allowed: house_rules.Allowed) -> None:
    assert allowed.rule in RULES
    assert allowed.reason.strip()


# --- planted trees -------------------------------------------------------------------------------------


def plant(root: Path, files: dict[str, str]) -> None:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text))
        for parent in path.relative_to(root).parents:
            if parent != Path(".") and not (root / parent / "__init__.py").exists():
                (root / parent / "__init__.py").write_text("")


def reported(root: Path, rule: str) -> set[tuple[str, int]]:
    found, _ = house_rules.violations(root, allowlist=())
    return {(v.path, v.line) for v in found if v.rule == rule}


def marked(files: dict[str, str]) -> set[tuple[str, int]]:
    return {
        (name, number)
        for name, text in files.items()
        for number, line in enumerate(textwrap.dedent(text).splitlines(), start=1)
        if line.rstrip().endswith("# bad")
    }


CASES: dict[str, dict[str, str]] = {
    "clock": {
        "vzaemo/petitions/rules.py": """\
            import datetime as dt
            import time
            from datetime import date, datetime
            from time import time as wall  # bad
            from django.utils import timezone
            from django.utils.timezone import now  # bad
            from vzaemo.core import clock

            def reads() -> None:
                dt.datetime.now(tz=dt.UTC)  # bad
                datetime.utcnow()  # bad
                date.today()  # bad
                timezone.now()  # bad
                time.time()  # bad

            def measures() -> None:
                clock.now(), clock.today(), time.monotonic(), time.perf_counter()
                dt.datetime.fromisoformat("2025-01-01T00:00:00+00:00")
            """,
        "vzaemo/petitions/models.py": """\
            from django.db import models
            from django.utils import timezone

            class Petition(models.Model):
                created_at = models.DateTimeField(default=timezone.now)  # bad
            """,
        "vzaemo/core/clock.py": """\
            import datetime as dt

            def _wall_now() -> dt.datetime:
                return dt.datetime.now(tz=dt.UTC)
            """,
        "vzaemo/petitions/migrations/0001_initial.py": """\
            import django.utils.timezone
            default = django.utils.timezone.now
            """,
    },
    "writes": {
        "vzaemo/web/petitions/views.py": """\
            from vzaemo.petitions.models import Petition, Signature

            def view(request, form, petition, rows, data, other, cache, storage) -> None:
                petition.save()  # bad
                petition.save(update_fields=["title"])  # bad
                form.save()  # bad
                Petition.objects.create(title="x")  # bad
                Petition.objects.filter(pk=1).update(title="x")  # bad
                Petition.objects.update(title="x")  # bad
                Petition.objects.get_or_create(pk=1)  # bad
                Petition.objects.update_or_create(pk=1)  # bad
                Signature.objects.bulk_create(rows)  # bad
                Signature.objects.bulk_update(rows, ["x"])  # bad
                petition.delete()  # bad
                Petition.objects.filter(pk=1).delete()  # bad
                petition.status = "published"  # bad
                petition.title, petition.status = "x", "closed"  # bad
                setattr(petition, "status", "closed")  # bad
                status = 404
                data.update(other)
                cache.delete("key")
                storage.save("name", b"content")
            """,
        "vzaemo/accounts/forms.py": """\
            class SignupForm:
                def signup(self, request, user) -> None:
                    user.full_name = "x"
                    user.save(update_fields=["full_name"])  # bad
            """,
        "vzaemo/petitions/services.py": "def petition_close(p) -> None:\n    p.status = 'closed'\n    p.save()\n",
        "vzaemo/auctions/services/lots.py": "def lot_edit(lot) -> None:\n    lot.save()\n",
        "vzaemo/petitions/migrations/0002_data.py": "def forwards(apps, schema) -> None:\n    apps.get_model('p.P').objects.create()\n",
        "vzaemo/petitions/demo.py": "def seed(P) -> None:\n    P.objects.create()\n",
        "vzaemo/demo/management/commands/seed_demo.py": "def handle(P) -> None:\n    P.objects.create()\n",
        "vzaemo/petitions/tests/test_p.py": "def test_p(p) -> None:\n    p.status = 'x'\n    p.save()\n",
        "vzaemo/petitions/tests/factories.py": "def make(P) -> None:\n    P.objects.create()\n",
    },
    "audit": {
        "vzaemo/petitions/services.py": """\
            from vzaemo.core import audit
            from vzaemo.documents import services as documents

            def petition_close(*, petition) -> None:  # bad
                petition.status = "closed"
                petition.save()

            def petition_edit(*, petition) -> None:  # bad
                _store(petition)

            def _store(petition) -> None:
                petition.save()

            def petition_publish(*, petition) -> None:
                petition.status = "published"
                petition.save()
                audit.record(actor=None, subject=petition, tag=TAG, before=None, after=None)

            def petition_attach(*, petition) -> None:
                petition.save()
                documents.document_register(owner=petition)

            def petition_title(*, petition) -> str:
                return petition.title
            """,
        "vzaemo/documents/services.py": """\
            from vzaemo.core.audit import record

            def document_register(*, owner) -> None:
                owner.documents.create()
                record(actor=None, subject=owner, tag=TAG, before=None, after=None)
            """,
        "vzaemo/auctions/services/__init__.py": "from .lots import lot_create, lot_edit\n",
        "vzaemo/auctions/services/_common.py": """\
            from vzaemo.core import audit

            def commit(obj, *, tag) -> None:
                obj.save()
                audit.record(actor=None, subject=obj, tag=tag, before=None, after=None)

            def store(obj) -> None:
                obj.save()
            """,
        "vzaemo/auctions/services/lots.py": """\
            from . import _common
            from ._common import commit

            def lot_create(*, lot) -> None:
                commit(lot, tag=TAG)

            def lot_edit(*, lot) -> None:
                _common.commit(lot, tag=TAG)

            def lot_transfer(*, lot) -> None:  # bad
                _common.store(lot)
            """,
        "vzaemo/auctions/services/relisting.py": """\
            from vzaemo.auctions.services import lot_create

            def lot_relist(*, lot) -> None:
                lot.save()
                lot_create(lot=lot)
            """,
    },
    "audit-tags": {
        "vzaemo/petitions/services.py": """\
            from vzaemo.core import audit
            from vzaemo.core.audit_tags import AuditTag

            def petition_sign(*, p) -> None:
                audit.record(actor=None, subject=p, tag="petition:sign", before=None, after=None)  # bad
                audit.record(actor=None, subject=p, tag=f"petition:{p.verb}", before=None, after=None)  # bad
                audit.record(actor=None, subject=p, tag="petition:" + p.verb, before=None, after=None)  # bad
                audit.record(actor=None, subject=p, tag=AuditTag.PETITION_SIGN, before=None, after=None)

            def _commit(p, *, tag) -> None:
                audit.record(actor=None, subject=p, tag=tag, before=None, after=None)

            def petition_close(*, p) -> None:
                _commit(p, tag="petition:close")  # bad
                _commit(p, tag=AuditTag.PETITION_CLOSE)
                tag = "petition:answer"  # bad
                tag = AuditTag.PETITION_ANSWER
                _commit(p, tag=tag)
            """,
        "vzaemo/petitions/admin.py": """\
            from vzaemo.core.admin.audited import AuditedModelAdmin
            from vzaemo.core.audit_tags import AuditTag

            class PetitionAdmin(AuditedModelAdmin):
                audit_tag = "admin:petition"  # bad

            class SignatureAdmin(AuditedModelAdmin):
                audit_tag = AuditTag.PETITION_SIGN
            """,
        "vzaemo/core/admin/audited.py": """\
            from vzaemo.core import audit, audit_tags

            class AuditedModelAdmin:
                def save_formset(self, obj) -> None:
                    audit.record(actor=None, subject=obj, tag=f"{self.audit_tag}:inline", before=None, after=None)  # bad
                    audit.record(actor=None, subject=obj, tag=audit_tags.inline(self.audit_tag), before=None, after=None)
            """,
        "vzaemo/core/audit_tags.py": 'def inline(tag):\n    return f"{tag}:inline"\n',
        "vzaemo/web/petitions/views.py": 'def view(request, render):\n    return render(request, "x.html", {"tag": "h1"})\n',
    },
    "edges": {
        "vzaemo/petitions/selectors.py": """\
            from __future__ import annotations

            from typing import TYPE_CHECKING

            import vzaemo.live.engine  # bad
            from vzaemo import broker_api  # bad
            from vzaemo.auctions import models
            from vzaemo.core import clock
            from vzaemo.web.petitions import views  # bad

            from ..live import engine  # bad

            if TYPE_CHECKING:
                from vzaemo.web.petitions.forms import PetitionForm

            def lazy() -> None:
                from vzaemo.broker_api.api import api  # bad
            """,
        "vzaemo/web/live/views.py": "from vzaemo.live import services\nfrom vzaemo.broker_api import schemas\n",
        "vzaemo/broker_api/api.py": "from vzaemo.live import selectors\n",
        "vzaemo/urls.py": "from vzaemo.broker_api.api import api\n",
        "vzaemo/demo/management/commands/seed_demo.py": "from vzaemo.live.demo import seed_live\n",
    },
    "engine": {
        "vzaemo/live/engine.py": """\
            from __future__ import annotations

            import datetime as dt
            from dataclasses import dataclass
            from decimal import Decimal
            from typing import TYPE_CHECKING

            from django.conf import settings  # bad
            import attr  # bad
            from vzaemo.core import clock  # bad
            from vzaemo.auctions.models import Auction  # bad

            if TYPE_CHECKING:
                from django.db.models import QuerySet  # bad
            """,
        "vzaemo/live/services.py": "from django.db import transaction\nfrom vzaemo.live import engine\n",
    },
}


@pytest.mark.parametrize("rule", list(CASES))
def test_each_check_reports_exactly_the_planted_violations(tmp_path: Path, rule: str) -> None:
    files = CASES[rule]
    plant(tmp_path, files)
    assert marked(files), "a planted case needs at least one bad line"
    assert reported(tmp_path, rule) == marked(files)


def test_every_rule_has_planted_cases() -> None:
    assert set(CASES) == set(RULES) == set(house_rules.CHECKS)


def test_an_allowlist_entry_excuses_only_what_it_names(tmp_path: Path) -> None:
    plant(tmp_path, {"vzaemo/accounts/forms.py": CASES["writes"]["vzaemo/accounts/forms.py"]})
    plant(tmp_path, {"vzaemo/accounts/views.py": "def view(user) -> None:\n    user.save()\n"})
    allowed = house_rules.Allowed("writes", "vzaemo/accounts/forms.py", "reason", symbol="SignupForm.signup")
    found, stale = house_rules.violations(tmp_path, allowlist=[allowed])
    assert [(v.path, v.symbol) for v in found] == [("vzaemo/accounts/views.py", "view")]
    assert stale == []
    found, stale = house_rules.violations(tmp_path, allowlist=[allowed, house_rules.Allowed("clock", "x.py", "r")])
    assert [a.path for a in stale] == ["x.py"]


# --- import-linter ----------------------------------------------------------------------------------------


def test_import_linter_fails_on_an_edge_imported_from_below(tmp_path: Path) -> None:
    """The real contracts over a copy of the tree with two planted imports: live engine -> pages, domain -> live."""
    shutil.copytree(
        ROOT / "vzaemo",
        tmp_path / "vzaemo",
        ignore=shutil.ignore_patterns("templates", "static", "locale", "__pycache__", "*.html", "*.po", "*.mo"),
    )
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    with (tmp_path / "vzaemo/live/engine.py").open("a") as engine:
        engine.write("\nimport vzaemo.web  # noqa\n")
    with (tmp_path / "vzaemo/petitions/rules.py").open("a") as rules:
        rules.write("\nimport vzaemo.live.engine  # noqa\n")
    lint_imports = Path(sys.executable).with_name("lint-imports")
    result = subprocess.run(
        [str(lint_imports), "--no-cache"],
        cwd=tmp_path,
        env={**os.environ, "PYTHONPATH": str(tmp_path)},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,  # the test reads the exit code
    )
    assert result.returncode == 1, result.stdout + result.stderr
    assert "vzaemo.live.engine -> vzaemo.web" in result.stdout
    assert "vzaemo.petitions.rules -> vzaemo.live.engine" in result.stdout
    assert "Layers: " in result.stdout
    assert "BROKEN" in result.stdout
