"""Replaying migrations in a test (the deep tests of a data migration, make test-deep)."""

from django.db import connection
from django.db.migrations.executor import MigrationExecutor


def migrate_to(targets=None):
    """Migrate to the targets (default: every app's latest) and return that state's apps.

    A target ``(app, None)`` unapplies the app; the state returned is that of the others.
    """
    executor = MigrationExecutor(connection)
    targets = targets or executor.loader.graph.leaf_nodes()
    executor.migrate(targets)
    executor.loader.build_graph()
    return executor.loader.project_state([t for t in targets if t[1] is not None]).apps
