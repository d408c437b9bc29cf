"""The task worker: django-tasks' ``db_worker`` that waits out a database outage instead of exiting.

``db_worker`` lets an OperationalError out of its loop (a PostgreSQL restart ends the process); this one logs
it, drops the dead connections, waits with a growing delay and carries on. A task whose result could not be
stored stays claimed, exactly as when the worker is killed mid-task.
"""

from __future__ import annotations

import logging
import time
from typing import Any

from django.core.management.base import CommandError
from django_tasks_db.management.commands import db_worker

from vzaemo.core.outage import DATABASE_OUTAGE_ERRORS, Backoff, drop_connections

logger = logging.getLogger("vzaemo.task_worker")


class Worker(db_worker.Worker):
    def run(self) -> None:
        backoff = Backoff(first=max(self.interval, 0.5))
        while self.running:
            try:
                super().run()
            except DATABASE_OUTAGE_ERRORS as error:
                delay = backoff.next_delay()
                logger.warning("task worker: database unavailable (%s); retrying in %.1f s", str(error).strip(), delay)
                drop_connections()
                time.sleep(delay)
            else:
                return  # --batch or --max-tasks: done


class Command(db_worker.Command):
    help = "Run the database task worker; it survives database outages (django-tasks' db_worker otherwise)."

    def handle(self, **options: Any) -> None:
        if options["reload"]:  # development (DEBUG): django-tasks' own reloading worker
            super().handle(**options)
            return
        self.configure_logging(options["verbosity"])
        queue_names = options["queue_name"].split(",")
        excluded = options["exclude_queues"].split(",") if options["exclude_queues"] else []
        if excluded and "*" not in queue_names:
            raise CommandError("--exclude-queues can only be used with --queue-name=*")
        worker = Worker(
            queue_names=queue_names,
            interval=options["interval"],
            batch=options["batch"],
            backend_name=options["backend_name"],
            startup_delay=options["startup_delay"],
            max_tasks=options["max_tasks"],
            worker_id=options["worker_id"],
            excluded_queue_names=excluded,
        )
        worker.configure_signals()
        worker.run()
