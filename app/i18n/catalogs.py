"""Compiling the translation catalogues (.po, kept in git) into the .mo files gettext reads (build output).

`make setup` compiles them; the app also compiles at start-up any that is missing or older than its
.po, so a fresh clone, a worktree or a `git pull` never runs on stale translations.
`python -m app.i18n.catalogs` compiles them all.
"""
import logging
import os
import tempfile
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

from app.i18n import TRANSLATIONS_DIR

log = logging.getLogger(__name__)


def catalogues(translations_dir: Path = TRANSLATIONS_DIR) -> list[Path]:
    return sorted(translations_dir.glob("*/LC_MESSAGES/messages.po"))


def compile_catalogue(po_path: Path) -> Path:
    """Write the .mo beside the .po (fuzzy entries left out); atomic, so processes starting together
    never read half a file."""
    with po_path.open("rb") as source:
        catalog = read_po(source, locale=po_path.parent.parent.name)
    mo_path = po_path.with_suffix(".mo")
    handle, temporary = tempfile.mkstemp(dir=po_path.parent, suffix=".mo.tmp")
    try:
        with os.fdopen(handle, "wb") as target:
            write_mo(target, catalog, use_fuzzy=False)
        os.replace(temporary, mo_path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return mo_path


def is_stale(po_path: Path) -> bool:
    mo_path = po_path.with_suffix(".mo")
    return not mo_path.exists() or mo_path.stat().st_mtime < po_path.stat().st_mtime


def compile_stale(translations_dir: Path = TRANSLATIONS_DIR) -> list[Path]:
    """Compile each catalogue whose .mo is missing or older than its .po; the .mo files written.
    A folder that cannot be written is logged, and the app runs on what is there (English at worst)."""
    written = []
    for po_path in catalogues(translations_dir):
        if is_stale(po_path):
            try:
                written.append(compile_catalogue(po_path))
            except OSError as error:
                log.warning("translation catalogue not compiled", extra={"path": str(po_path), "error": str(error)})
    return written


def compile_all(translations_dir: Path = TRANSLATIONS_DIR) -> list[Path]:
    return [compile_catalogue(po_path) for po_path in catalogues(translations_dir)]


if __name__ == "__main__":
    for path in compile_all():
        print(f"compiled {path}")
