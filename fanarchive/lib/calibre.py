"""Running calibre's `ebook-convert`, for imports (MOBI, AZW3, PDF to EPUB) and for
downloads (EPUB to AZW3, MOBI). No Django: imports run it in worker processes.

Each run gets its own calibre settings directory: calibre writes settings under the
home directory, which a server's user may not be able to write, and one conversion
must not see another's.
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Sequence
from pathlib import Path


class ConversionFailed(RuntimeError):
    """calibre failed or took too long; the message says which, in a reader's words."""


def ebook_convert(
    program: str,
    source: Path,
    target: Path,
    *,
    timeout: float,
    what: str,
    options: Sequence[str] = (),
) -> None:
    """Convert `source` to `target` (its format from its extension), in `source`'s
    folder. `what` names the conversion in messages ("the MOBI/AZW3", "the AZW3")."""
    folder = source.parent
    environment = {**os.environ, "CALIBRE_CONFIG_DIRECTORY": str(folder / ".calibre-config")}
    try:
        # The program is calibre's, from settings or PATH; the file names are ours.
        result = subprocess.run(  # noqa: S603
            [program, str(source), str(target), *options],
            capture_output=True,
            stdin=subprocess.DEVNULL,
            timeout=timeout,
            check=False,
            cwd=folder,
            env=environment,
        )
    except subprocess.TimeoutExpired:
        raise ConversionFailed(
            f"calibre took more than {timeout:g} seconds to convert {what}"
        ) from None
    except OSError as error:
        raise ConversionFailed(f"could not run calibre's ebook-convert ({error})") from None
    if result.returncode != 0 or not target.is_file() or target.stat().st_size == 0:
        detail = _last_line(result.stderr) or _last_line(result.stdout) or "no output"
        raise ConversionFailed(
            f"calibre could not convert {what}: {detail} (exit status {result.returncode})"
        )


def _last_line(output: bytes) -> str:
    lines = [line.strip() for line in output.decode("utf-8", "replace").splitlines()]
    return next((line for line in reversed(lines) if line), "")[:300]
