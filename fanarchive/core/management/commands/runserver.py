from typing import Any

from whitenoise.runserver_nostatic.management.commands.runserver import (
    Command as WhiteNoiseRunserver,
)

from fanarchive.core.archive import ensure_archive


class Command(WhiteNoiseRunserver):
    """Django's runserver, saying which archive it serves and creating it when new."""

    def inner_run(self, *args: Any, **options: Any) -> None:
        ensure_archive(self.stderr)
        super().inner_run(*args, **options)
