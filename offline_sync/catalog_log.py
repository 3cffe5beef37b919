"""What changed in the catalog cache, per catalog version: so a handheld holding version N is sent
only the rows that changed after N, not the whole catalog.

One entry per row that changed, under the version that last changed it (a row changed again moves
to the newer version), and whether it is gone. Written by catalog_cache.refresh in the refresh's
transaction, so the version handhelds see and the entries that explain it commit together.
Entries at or below `CatalogState.oldest_version` are pruned: a handheld older than that (or one
that names a version this server never had) gets a full snapshot instead."""
import json
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Boolean, Integer, String, delete, func, select, tuple_
from sqlalchemy.orm import Mapped, Session, mapped_column

from offline_sync.persistence import Base

KEEP_VERSIONS = 1440  # a day of refreshes a minute apart, at most: older entries go, their handhelds get a snapshot
CHUNK = 500  # keys per IN (…) list


class CatalogChange(Base):
    __tablename__ = "catalog_changes"

    table_name: Mapped[str] = mapped_column(String(32), primary_key=True)
    row_key: Mapped[str] = mapped_column(String(100), primary_key=True)  # the row's key as JSON: 12, or [12, "0501…"]
    version: Mapped[int] = mapped_column(Integer, index=True)
    deleted: Mapped[bool] = mapped_column(Boolean)


@dataclass(frozen=True)
class Change:
    table: str
    key: Any  # a scalar id, or a tuple for a composite key
    deleted: bool

    @property
    def row_key(self) -> str:
        return encode_key(self.key)


def encode_key(key: Any) -> str:
    return json.dumps(list(key) if isinstance(key, tuple) else key, separators=(",", ":"))


def decode_key(row_key: str) -> Any:
    key = json.loads(row_key)
    return tuple(key) if isinstance(key, list) else key


def chunks(items: Sequence[Any], size: int = CHUNK) -> Iterator[Sequence[Any]]:
    for start in range(0, len(items), size):
        yield items[start:start + size]


def record(session: Session, version: int, changes: Iterable[Change]) -> int:
    """Log `changes` under `version`, replacing each row's older entry; returns how many."""
    latest = {(change.table, change.row_key): change for change in changes}  # the last word on a row wins
    keys = list(latest)
    for part in chunks(keys):
        session.execute(delete(CatalogChange).where(tuple_(CatalogChange.table_name, CatalogChange.row_key).in_(part)))
    session.add_all(CatalogChange(table_name=table, row_key=row_key, version=version, deleted=change.deleted)
                    for (table, row_key), change in latest.items())
    return len(latest)


def prune(session: Session, version: int, oldest: int, keep: int = KEEP_VERSIONS) -> int:
    """Drop the entries of versions more than `keep` behind `version`; returns the new oldest version
    the log can answer from (`oldest` when nothing went)."""
    if version - oldest <= keep:
        return oldest
    oldest = version - keep
    session.execute(delete(CatalogChange).where(CatalogChange.version <= oldest))
    return oldest


def since(session: Session, known: int, current: int) -> dict[str, list[tuple[Any, bool]]]:
    """Per table, the keys of the rows that changed after version `known` up to `current`, and whether each is gone."""
    changed: dict[str, list[tuple[Any, bool]]] = defaultdict(list)
    for entry in session.execute(select(CatalogChange.table_name, CatalogChange.row_key, CatalogChange.deleted)
                                 .where(CatalogChange.version > known, CatalogChange.version <= current)
                                 .order_by(CatalogChange.table_name, CatalogChange.row_key)):
        changed[entry.table_name].append((decode_key(entry.row_key), entry.deleted))
    return dict(changed)


def count_since(session: Session, known: int, current: int) -> int:
    return session.scalar(select(func.count()).select_from(CatalogChange)
                          .where(CatalogChange.version > known, CatalogChange.version <= current)) or 0
