"""Zebra label printers the administrator has named: where to send ZPL (raw TCP) and which roll they hold."""
from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from offline_sync.persistence import Base


class LabelPrinter(Base):
    __tablename__ = "label_printers"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(80), unique=True)
    host: Mapped[str] = mapped_column(String(253))
    port: Mapped[int] = mapped_column(default=9100)
    stock: Mapped[str] = mapped_column(String(32))  # a key of ZEBRA_STOCKS
