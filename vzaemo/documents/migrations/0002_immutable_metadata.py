"""The database refuses to change a document's registered metadata or a recorded upload.

The only UPDATE a document may see is the one that records its upload (size and uploaded_at from NULL to
values). Anything else, from any code path (a careless save(), the shell, raw SQL), is refused with an
integrity error.
"""

from django.db import migrations

IMMUTABLE = [
    "id",
    "sha256",
    "title",
    "format",
    "owner_type",
    "owner_id",
    "mode",
    "previous_id",
    "storage_name",
    "registered_at",
]
MESSAGE = "documents_document metadata is immutable"

SQLITE_CREATE = f"""
CREATE TRIGGER documents_document_immutable BEFORE UPDATE ON documents_document
FOR EACH ROW WHEN {" OR ".join(f"OLD.{c} IS NOT NEW.{c}" for c in IMMUTABLE)}
    OR (OLD.uploaded_at IS NOT NULL AND (OLD.uploaded_at IS NOT NEW.uploaded_at OR OLD.size IS NOT NEW.size))
BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END
"""
SQLITE_DROP = "DROP TRIGGER IF EXISTS documents_document_immutable"

POSTGRES_CREATE = [
    f"""
CREATE FUNCTION documents_document_immutable() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF ({", ".join(f"OLD.{c}" for c in IMMUTABLE)}) IS DISTINCT FROM ({", ".join(f"NEW.{c}" for c in IMMUTABLE)})
       OR (OLD.uploaded_at IS NOT NULL AND (OLD.uploaded_at, OLD.size) IS DISTINCT FROM (NEW.uploaded_at, NEW.size))
    THEN
        RAISE EXCEPTION '{MESSAGE}' USING ERRCODE = 'integrity_constraint_violation';
    END IF;
    RETURN NEW;
END
$$
""",
    """
CREATE TRIGGER documents_document_immutable BEFORE UPDATE ON documents_document
FOR EACH ROW EXECUTE FUNCTION documents_document_immutable()
""",
]
POSTGRES_DROP = [
    "DROP TRIGGER IF EXISTS documents_document_immutable ON documents_document",
    "DROP FUNCTION IF EXISTS documents_document_immutable()",
]


def _run(schema_editor, statements):
    for statement in statements:
        schema_editor.execute(statement)


def create(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "sqlite":
        _run(schema_editor, [SQLITE_CREATE])
    elif vendor == "postgresql":
        _run(schema_editor, POSTGRES_CREATE)
    else:
        raise RuntimeError(f"no immutability trigger for database vendor {vendor!r}")


def drop(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    _run(schema_editor, [SQLITE_DROP] if vendor == "sqlite" else POSTGRES_DROP if vendor == "postgresql" else [])


class Migration(migrations.Migration):
    dependencies = [("documents", "0001_initial")]

    operations = [migrations.RunPython(create, drop)]
