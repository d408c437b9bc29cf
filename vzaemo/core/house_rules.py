"""The rules of the house as checks over the source tree (docs/design.md, "Rules of the house").

Each check reads the code with `ast`, so it needs neither Django nor a database and runs in well under a
second; `vzaemo/core/tests/test_house_rules.py` runs every check over the real tree, and over small planted
trees to prove each one catches what it claims to catch.

* `clock` (rule 3): only `vzaemo/core/clock.py` reads the wall-clock time. `time.monotonic()` and
  `time.perf_counter()` measure durations, not the time of day, and stay allowed.
* `writes` (rules 1, 2): model writes (`save`, `create`, `update`, `delete`, `bulk_*`, `get_or_create`,
  `update_or_create`) and `.status =` assignments happen only in services, migrations, demo seeding and
  tests, or in a kernel module allowlisted below with its reason.
* `audit` (rule 5): a public function of a services module that writes leaves an audit record, directly
  or through a helper or another service it calls.
* `audit-tags` (rule 5): an audit tag is a `vzaemo.core.audit_tags.AuditTag` member, never a string
  literal, so the set of tags a reader can find in the log is one list.
* `edges` (rule 8): domain apps never import the edges (`web`, `broker_api`, `live`). import-linter
  enforces the same in CI; this copy also covers modules import-linter is not told about yet.
* `engine` (rule 7): the live engine imports only the standard library and modules listed as pure.

The heuristics are syntactic: `.update(...)` counts as a write when it takes keyword arguments only (a
QuerySet's `update(field=value)`, not a dict's `update(other)`); `.save()`/`.delete()` when they take no
positional argument (a model's, not a storage's `save(name, content)` or a cache's `delete(key)`).
"""

from __future__ import annotations

import ast
import fnmatch
import functools
import sys
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

EDGE_APPS = frozenset({"web", "broker_api", "live"})
# Above every app, not a domain app: the demo data set loads each module's demo data, the live engine's too.
COMPOSITION_APPS = frozenset({"demo"})
CLOCK_MODULE = "vzaemo/core/clock.py"
ENGINE_MODULES = ("vzaemo/live/engine.py",)
# vzaemo modules the engine may import: each must itself pass the engine check.
PURE_MODULES: frozenset[str] = frozenset()
AUDIT_TAGS_MODULE = "vzaemo.core.audit_tags"

WRITE_METHODS = frozenset({"bulk_create", "bulk_update", "get_or_create", "update_or_create", "create"})
# The call is a write only without positional arguments (see the module docstring).
WRITE_METHODS_NO_POSITIONAL = frozenset({"save", "delete", "update"})
# `<something>.datetime.now()`, `date.today()`, `timezone.now`...: receivers and the attributes that read the time.
TIME_READERS = {
    "datetime": frozenset({"now", "utcnow", "today"}),
    "date": frozenset({"today"}),
    "timezone": frozenset({"now", "localtime", "localdate"}),
    "time": frozenset({"time", "time_ns", "localtime", "gmtime", "ctime"}),
}
TIME_IMPORTS = {
    "time": frozenset({"time", "time_ns", "localtime", "gmtime", "ctime"}),
    "django.utils.timezone": frozenset({"now", "localtime", "localdate"}),
}

RULES = ("clock", "writes", "audit", "audit-tags", "edges", "engine")


@dataclass(frozen=True)
class Violation:
    rule: str
    path: str
    line: int
    symbol: str  # the enclosing function or class ("" at module level)
    message: str

    def __str__(self) -> str:
        where = f" in {self.symbol}" if self.symbol else ""
        return f"{self.path}:{self.line}: [{self.rule}]{where} {self.message}"


@dataclass(frozen=True)
class Allowed:
    """An exception to a rule: `path` and `symbol` are fnmatch patterns (`*` crosses `/` and `.`)."""

    rule: str
    path: str
    reason: str
    symbol: str = "*"

    def matches(self, violation: Violation) -> bool:
        return (
            self.rule == violation.rule
            and fnmatch.fnmatchcase(violation.path, self.path)
            and fnmatch.fnmatchcase(violation.symbol, self.symbol)
        )


ALLOWLIST: tuple[Allowed, ...] = (
    # --- kernel modules: the machinery the services write through ------------------------------------------
    Allowed("writes", "vzaemo/core/audit.py", "the audit chain itself: record() inserts entries, seal() links them"),
    Allowed(
        "writes",
        "vzaemo/core/audit_witness.py",
        "delivery bookkeeping of checkpoints sent to witnesses; recording it would feed the chain it witnesses",
    ),
    Allowed("writes", "vzaemo/core/obligations.py", "deadline facts, written by services inside their transaction"),
    Allowed(
        "writes",
        "vzaemo/core/idempotency.py",
        "one-time request keys: plumbing taken by services inside their transaction; the effect is what is audited",
    ),
    Allowed(
        "writes",
        "vzaemo/onestop/projection.py",
        "the one-stop index: derived data rebuilt from the modules, following the audit entries that record the changes",
    ),
    Allowed(
        "writes",
        "vzaemo/onestop/notify.py",
        "notifications: derived from the index's changes in the projection's transaction, like the index itself",
    ),
    Allowed(
        "writes",
        "vzaemo/onestop/digests.py",
        "marks notices emailed as the digest leaves: delivery bookkeeping, not a change anyone else sees",
    ),
    Allowed(
        "audit",
        "vzaemo/onestop/services.py",
        "a person marking their own notices read changes nothing anyone else sees",
        symbol="notifications_mark_read",
    ),
    Allowed(
        "writes",
        "vzaemo/core/outbox.py",
        "the demo's fake SMTP server: an email backend keeps what it is asked to send, as the file backend writes files",
    ),
    Allowed("writes", "vzaemo/core/admin/audited.py", "the audited admin base: it records every save and delete"),
    Allowed(
        "writes",
        "vzaemo/accounts/models.py",
        "Django's user manager contract (create_user), called by allauth and createsuperuser",
        symbol="UserManager._create",
    ),
    Allowed("writes", "vzaemo/live/sandbox.py", "seeds the sandbox broker and organiser, like demo seeding"),
    Allowed("writes", "vzaemo/broker_api/*", "an HTTP status on an exception, not a model field", symbol="ApiError.*"),
)


# --- reading the tree ------------------------------------------------------------------------------------


@dataclass
class Module:
    path: str  # posix, relative to the root: "vzaemo/petitions/services.py"
    name: str  # dotted: "vzaemo.petitions.services"
    tree: ast.Module
    is_package: bool = False
    parts: tuple[str, ...] = field(init=False)

    def __post_init__(self) -> None:
        self.parts = PurePosixPath(self.path).parts

    @functools.cached_property
    def nodes(self) -> list[ast.AST]:
        return list(ast.walk(self.tree))

    @functools.cached_property
    def owner(self) -> dict[int, str]:
        return _symbols(self.tree)

    @property
    def app(self) -> str | None:
        """The top-level package under the project package, or None for the project's own modules."""
        return self.parts[1] if self.parts[2:] else None  # vzaemo.<app>.<module...>

    @property
    def filename(self) -> str:
        return self.parts[-1]

    @property
    def is_test(self) -> bool:
        return "tests" in self.parts or self.filename.startswith("test_") or self.filename == "conftest.py"

    @property
    def is_migration(self) -> bool:
        return "migrations" in self.parts

    @property
    def is_services(self) -> bool:
        return self.filename == "services.py" or "services" in self.parts[:-1]

    @property
    def is_demo(self) -> bool:
        return self.filename in {"demo.py", "seed_demo.py"} or "demo" in self.parts[:-1]


def load(root: Path, package: str = "vzaemo") -> list[Module]:
    modules = []
    for file in sorted((root / package).rglob("*.py")):
        relative = file.relative_to(root).as_posix()
        dotted = relative.removesuffix(".py").replace("/", ".")
        is_package = dotted.endswith(".__init__")
        dotted = dotted.removesuffix(".__init__")
        modules.append(Module(relative, dotted, ast.parse(file.read_text(), filename=relative), is_package))
    return modules


def _absolute(module: Module, node: ast.ImportFrom) -> str:
    if not node.level:
        return node.module or ""
    base = module.name.split(".")
    base = base if module.is_package else base[:-1]
    base = base[: len(base) - (node.level - 1)]
    return ".".join([*base, node.module] if node.module else base)


def _imports(module: Module, *, skip_type_checking: bool) -> Iterator[tuple[ast.stmt, str]]:
    """(node, imported module or module.name) for every import, lazy ones included."""
    skipped: set[int] = set()
    if skip_type_checking:
        for node in module.nodes:
            if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
                skipped.update(id(child) for stmt in node.body for child in ast.walk(stmt))
    for node in module.nodes:
        if id(node) in skipped:
            continue
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node, alias.name
        elif isinstance(node, ast.ImportFrom):
            source = _absolute(module, node)
            for alias in node.names:
                yield node, f"{source}.{alias.name}" if source else alias.name


def _symbols(tree: ast.AST) -> dict[int, str]:
    """id(node) -> the qualified name of the innermost function or class around it."""
    owner: dict[int, str] = {}

    def visit(node: ast.AST, name: str) -> None:
        for child in ast.iter_child_nodes(node):
            inner = name
            if isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
                inner = f"{name}.{child.name}" if name else child.name
            owner[id(child)] = inner
            visit(child, inner)

    visit(tree, "")
    return owner


def _dotted(node: ast.AST) -> str:
    """`a.b.c` for a chain of names and attributes, "" for anything else."""
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        inner = _dotted(node.value)
        return f"{inner}.{node.attr}" if inner else ""
    return ""


def _write_description(node: ast.AST) -> str | None:
    """What model write `node` is, or None when it is not one."""
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
        method = node.func.attr
        if method in WRITE_METHODS:
            return f".{method}()"
        if method in WRITE_METHODS_NO_POSITIONAL and not node.args:
            if method == "update" and not node.keywords:
                return None
            return f".{method}()"
        if method == "update" and _dotted(node.func.value).split(".")[-1:] == ["objects"]:
            return ".update()"
    if (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Name)
        and node.func.id == "setattr"
        and len(node.args) > 1
        and isinstance(node.args[1], ast.Constant)
        and node.args[1].value == "status"
    ):
        return "setattr(..., 'status', ...)"
    targets: list[ast.expr] = []
    if isinstance(node, ast.Assign):
        targets = node.targets
    elif isinstance(node, ast.AugAssign | ast.AnnAssign):
        targets = [node.target]
    for target in targets:
        for item in ast.walk(target):
            if isinstance(item, ast.Attribute) and item.attr == "status" and isinstance(item.ctx, ast.Store):
                return ".status assignment"
    return None


def _is_audit_record(call: ast.Call, record_names: set[str]) -> bool:
    name = _dotted(call.func)
    return name in record_names or name.endswith("audit.record")


def _record_names(module: Module) -> set[str]:
    """Local names bound to `vzaemo.core.audit.record` (`from vzaemo.core.audit import record as x`)."""
    names: set[str] = set()
    for node in module.nodes:
        if isinstance(node, ast.ImportFrom) and _absolute(module, node) == "vzaemo.core.audit":
            names.update(alias.asname or alias.name for alias in node.names if alias.name == "record")
    return names


# --- the checks ------------------------------------------------------------------------------------------


def check_clock(modules: Iterable[Module]) -> Iterator[Violation]:
    for module in modules:
        if module.path == CLOCK_MODULE or module.is_migration:
            continue
        owner = module.owner
        for node in module.nodes:
            if isinstance(node, ast.Attribute):
                receiver = _dotted(node.value).split(".")[-1]
                if node.attr in TIME_READERS.get(receiver, ()):
                    yield Violation(
                        "clock",
                        module.path,
                        node.lineno,
                        owner.get(id(node), ""),
                        f"reads the time with {receiver}.{node.attr}; use vzaemo.core.clock",
                    )
            elif isinstance(node, ast.ImportFrom) and node.module in TIME_IMPORTS:
                for alias in node.names:
                    if alias.name in TIME_IMPORTS[node.module]:
                        yield Violation(
                            "clock",
                            module.path,
                            node.lineno,
                            owner.get(id(node), ""),
                            f"imports {node.module}.{alias.name}; use vzaemo.core.clock",
                        )


def check_writes(modules: Iterable[Module]) -> Iterator[Violation]:
    for module in modules:
        if module.is_services or module.is_migration or module.is_demo or module.is_test:
            continue
        owner = module.owner
        for node in module.nodes:
            what = _write_description(node)
            if what is not None:
                yield Violation(
                    "writes",
                    module.path,
                    getattr(node, "lineno", 0),
                    owner.get(id(node), ""),
                    f"writes the database ({what}) outside a service",
                )


@dataclass
class _Function:
    module: Module
    node: ast.FunctionDef | ast.AsyncFunctionDef
    writes: bool = False
    records: bool = False
    calls: list[tuple[str, str]] = field(default_factory=list)  # (module, name) it may call


def _bindings(module: Module) -> dict[str, str]:
    """Local name -> dotted target, from the module's imports (`from a import b as c` gives c -> a.b)."""
    bound: dict[str, str] = {}
    for node in module.nodes:
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.asname:
                    bound[alias.asname] = alias.name
                else:
                    bound[alias.name.split(".")[0]] = alias.name.split(".")[0]
        elif isinstance(node, ast.ImportFrom):
            source = _absolute(module, node)
            for alias in node.names:
                bound[alias.asname or alias.name] = f"{source}.{alias.name}"
    return bound


def _split(dotted: str) -> tuple[str, str]:
    module, _, name = dotted.rpartition(".")
    return module, name


# Re-exports go one or two levels deep (a services package's __init__); deeper means a cycle.
_RE_EXPORT_DEPTH_MAX = 5


def _index_functions(modules: list[Module], bindings: dict[str, dict[str, str]]) -> dict[tuple[str, str], _Function]:
    """Every top-level function of the non-test modules: whether it writes, records, and whom it calls."""
    functions: dict[tuple[str, str], _Function] = {}
    for module in modules:
        if module.name not in bindings:
            continue
        bound = bindings[module.name]
        record_names = _record_names(module)
        for stmt in module.tree.body:
            if not isinstance(stmt, ast.FunctionDef | ast.AsyncFunctionDef):
                continue
            function = _Function(module, stmt)
            for node in ast.walk(stmt):
                if _write_description(node) is not None:
                    function.writes = True
                if not isinstance(node, ast.Call):
                    continue
                if _is_audit_record(node, record_names):
                    function.records = True
                    continue
                name = _dotted(node.func)
                if not name:
                    continue
                head, _, rest = name.partition(".")
                target = f"{bound[head]}.{rest}" if head in bound and rest else bound.get(head, "")
                if not rest and head not in bound:
                    target = f"{module.name}.{head}"
                if "." in target:
                    function.calls.append(_split(target))
            functions[(module.name, stmt.name)] = function

    return functions


def check_audit(modules: Iterable[Module]) -> Iterator[Violation]:
    modules = list(modules)
    bindings = {module.name: _bindings(module) for module in modules if not (module.is_test or module.is_migration)}
    functions = _index_functions(modules, bindings)

    def resolve(key: tuple[str, str], depth: int = 0) -> _Function | None:
        """Follow re-exports (`services/__init__.py` importing from its submodules) to the definition."""
        if key in functions:
            return functions[key]
        if key[0] not in bindings or depth > _RE_EXPORT_DEPTH_MAX:
            return None
        target = bindings[key[0]].get(key[1])
        return resolve(_split(target), depth + 1) if target and "." in target else None

    callees = {
        id(function): [c for c in map(resolve, function.calls) if c is not None and c is not function]
        for function in functions.values()
    }
    # Spread "writes" and "records" along calls until nothing changes.
    changed = True
    while changed:
        changed = False
        for function in functions.values():
            for callee in callees[id(function)]:
                if callee.writes and not function.writes:
                    function.writes = changed = True
                if callee.records and not function.records:
                    function.records = changed = True

    for (_, name), function in functions.items():
        module = function.module
        private_module = any(part.startswith("_") and part != "__init__.py" for part in module.parts)
        if not module.is_services or private_module or name.startswith("_"):
            continue
        if function.writes and not function.records:
            yield Violation(
                "audit",
                module.path,
                function.node.lineno,
                name,
                "writes the database but leaves no audit record (call vzaemo.core.audit.record)",
            )


def _literal_string(node: ast.AST) -> bool:
    """A tag spelled in place: a string literal, an f-string, or an expression built from them."""
    return any(
        isinstance(item, ast.JoinedStr) or (isinstance(item, ast.Constant) and isinstance(item.value, str))
        for item in ast.walk(node)
    )


def check_audit_tags(modules: Iterable[Module]) -> Iterator[Violation]:
    for module in modules:
        if module.is_test or module.is_migration or module.name == AUDIT_TAGS_MODULE:
            continue
        owner = module.owner
        record_names = _record_names(module)
        calls_record = any(isinstance(node, ast.Call) and _is_audit_record(node, record_names) for node in module.nodes)
        for node in module.nodes:
            found = None
            if isinstance(node, ast.Call) and (calls_record or _is_audit_record(node, record_names)):
                # In a module that records, any `tag=` argument may reach audit.record through a helper.
                found = next((kw.value for kw in node.keywords if kw.arg == "tag"), None)
            elif isinstance(node, ast.Assign | ast.AnnAssign) and calls_record:
                targets = node.targets if isinstance(node, ast.Assign) else [node.target]
                if any(isinstance(t, ast.Name) and t.id == "tag" for t in targets):
                    found = node.value
            if isinstance(node, ast.Assign | ast.AnnAssign):
                targets = node.targets if isinstance(node, ast.Assign) else [node.target]
                if any(_dotted(t).split(".")[-1] == "audit_tag" for t in targets):
                    found = node.value
            if found is not None and _literal_string(found):
                yield Violation(
                    "audit-tags",
                    module.path,
                    getattr(node, "lineno", 0),
                    owner.get(id(node), ""),
                    f"audit tag spelled as a string ({ast.unparse(found)}); use an AuditTag member",
                )


def check_edges(modules: Iterable[Module]) -> Iterator[Violation]:
    edges = tuple(f"vzaemo.{app}" for app in sorted(EDGE_APPS))
    for module in modules:
        if module.app is None or module.app in EDGE_APPS | COMPOSITION_APPS:
            continue
        owner = module.owner
        for node, imported in _imports(module, skip_type_checking=True):
            edge = next((e for e in edges if imported == e or imported.startswith(f"{e}.")), None)
            if edge is not None:
                yield Violation(
                    "edges",
                    module.path,
                    node.lineno,
                    owner.get(id(node), ""),
                    f"domain app {module.app} imports the edge {edge} ({imported})",
                )


def check_engine(modules: Iterable[Module]) -> Iterator[Violation]:
    pure_paths = {*ENGINE_MODULES, *(name.replace(".", "/") + ".py" for name in PURE_MODULES)}
    for module in modules:
        if module.path not in pure_paths:
            continue
        for node, imported in _imports(module, skip_type_checking=False):
            top = imported.split(".")[0]
            if top in sys.stdlib_module_names or top == "__future__":
                continue
            if any(imported == pure or imported.startswith(f"{pure}.") for pure in PURE_MODULES):
                continue
            yield Violation(
                "engine",
                module.path,
                node.lineno,
                "",
                f"the live engine imports {imported}: only the standard library and pure modules",
            )


CHECKS = {
    "clock": check_clock,
    "writes": check_writes,
    "audit": check_audit,
    "audit-tags": check_audit_tags,
    "edges": check_edges,
    "engine": check_engine,
}


def violations(
    root: Path, *, package: str = "vzaemo", allowlist: Iterable[Allowed] = ALLOWLIST
) -> tuple[list[Violation], list[Allowed]]:
    """Every violation not allowlisted, and the allowlist entries that excuse nothing (stale)."""
    modules = load(root, package)
    allowlist = list(allowlist)
    used: set[int] = set()
    found = []
    for check in CHECKS.values():
        for violation in check(modules):
            excuse = next((i for i, allowed in enumerate(allowlist) if allowed.matches(violation)), None)
            if excuse is None:
                found.append(violation)
            else:
                used.add(excuse)
    return found, [allowed for i, allowed in enumerate(allowlist) if i not in used]


def main() -> int:
    found, stale = violations(Path(__file__).resolve().parents[2])
    for violation in found:
        print(violation)
    for allowed in stale:
        print(f"stale allowlist entry (excuses nothing): {allowed}")
    return 1 if found or stale else 0


if __name__ == "__main__":
    raise SystemExit(main())
