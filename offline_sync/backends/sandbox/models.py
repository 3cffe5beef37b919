"""The training sandbox's stock ledger: a small, Odoo-shaped copy of the records Wardstock uses.

Field names follow Odoo (`default_code`, `product_uom_qty`, `inventory_diff_quantity`…) so the
notes on Odoo's behaviour read straight onto these tables. As in Odoo, stock changes only
through done moves, so what happened to a quant since any moment can be read back from them.
Quants are kept for internal locations only (Odoo also keeps them, negative, at vendors).
"""

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import ForeignKey, String, UniqueConstraint, true
from sqlalchemy.orm import Mapped, mapped_column, relationship

from offline_sync.persistence import Base, utcnow


class Usage(StrEnum):
    INTERNAL = "internal"
    SUPPLIER = "supplier"
    CONSUMPTION = "consumption"
    INVENTORY = "inventory"


class PickingKind(StrEnum):
    RECEIPT = "receipt"
    INTERNAL = "internal"
    CONSUMPTION = "consumption"
    SCRAP = "scrap"
    RETURN = "return"  # back to the vendor


class State(StrEnum):
    """States of pickings and moves (Odoo's, minus the ones the sandbox never reaches)."""

    DRAFT = "draft"
    ASSIGNED = "assigned"
    DONE = "done"
    CANCEL = "cancel"


class Tracking(StrEnum):
    LOT = "lot"
    NONE = "none"


class Stamped:
    """`write_date` as in Odoo: the catalog is pulled incrementally by it."""

    write_date: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow, index=True)


class SandboxProduct(Stamped, Base):
    __tablename__ = "sandbox_product"

    id: Mapped[int] = mapped_column(primary_key=True)
    barcode: Mapped[str | None] = mapped_column(String(14), unique=True)  # 13 digits for an EAN-13, as Odoo keeps it
    name: Mapped[str] = mapped_column(String(200))
    default_code: Mapped[str] = mapped_column(String(40), default="")
    uom: Mapped[str] = mapped_column(String(20), default="Units")
    tracking: Mapped[str] = mapped_column(String(8), default=Tracking.LOT)
    use_expiration_date: Mapped[bool] = mapped_column(default=True)
    # Days, as in product_expiry: expiry after receipt, and alert / removal before expiry.
    expiration_time: Mapped[int] = mapped_column(default=0)
    alert_time: Mapped[int] = mapped_column(default=0)
    removal_time: Mapped[int] = mapped_column(default=0)
    active: Mapped[bool] = mapped_column(default=True, server_default=true())  # archived: out of the catalog
    standard_price: Mapped[float] = mapped_column(default=0.0, server_default="0")  # cost of one unit

    packagings: Mapped[list["SandboxPackaging"]] = relationship(
        back_populates="product", order_by="SandboxPackaging.id"
    )

    @property
    def tracked_by_lot(self) -> bool:
        return self.tracking == Tracking.LOT


class SandboxPackaging(Base):
    """A further GTIN for a product (Odoo's `product.packaging` barcode): one scan of it is `qty` units."""

    __tablename__ = "sandbox_packaging"

    id: Mapped[int] = mapped_column(primary_key=True)
    product_id: Mapped[int] = mapped_column(ForeignKey("sandbox_product.id"), index=True)
    barcode: Mapped[str] = mapped_column(String(14), unique=True)
    qty: Mapped[float] = mapped_column(default=1.0, server_default="1")  # units in one box, as Odoo's field

    product: Mapped[SandboxProduct] = relationship(back_populates="packagings")


class SandboxLot(Stamped, Base):
    __tablename__ = "sandbox_lot"
    __table_args__ = (UniqueConstraint("product_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    product_id: Mapped[int] = mapped_column(ForeignKey("sandbox_product.id"), index=True)
    name: Mapped[str] = mapped_column(String(64))
    expiration_date: Mapped[date | None]
    recalled: Mapped[bool] = mapped_column(default=False)

    product: Mapped[SandboxProduct] = relationship()


class SandboxLocation(Stamped, Base):
    __tablename__ = "sandbox_location"

    id: Mapped[int] = mapped_column(primary_key=True)
    barcode: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(100))
    complete_name: Mapped[str] = mapped_column(String(300))  # e.g. "CS/Ward 3B/Supply Room"
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("sandbox_location.id"))
    usage: Mapped[str] = mapped_column(String(12), default=Usage.INTERNAL)
    active: Mapped[bool] = mapped_column(default=True)


class SandboxQuant(Stamped, Base):
    __tablename__ = "sandbox_quant"
    __table_args__ = (UniqueConstraint("product_id", "location_id", "lot_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    product_id: Mapped[int] = mapped_column(ForeignKey("sandbox_product.id"))
    location_id: Mapped[int] = mapped_column(ForeignKey("sandbox_location.id"), index=True)
    lot_id: Mapped[int | None] = mapped_column(ForeignKey("sandbox_lot.id"), index=True)  # where a lot is
    quantity: Mapped[float] = mapped_column(default=0.0)
    # A count entered but not applied yet. As in Odoo, the difference is fixed when the count is
    # entered, so `inventory_quantity - inventory_diff_quantity` is the on-hand the counter saw.
    inventory_quantity: Mapped[float] = mapped_column(default=0.0)
    inventory_quantity_set: Mapped[bool] = mapped_column(default=False)
    inventory_diff_quantity: Mapped[float] = mapped_column(default=0.0)

    product: Mapped[SandboxProduct] = relationship()
    location: Mapped[SandboxLocation] = relationship()
    lot: Mapped[SandboxLot | None] = relationship()

    @property
    def is_outdated(self) -> bool:
        """Odoo's flag: the on-hand moved after the pending count was entered."""
        seen = self.inventory_quantity - self.inventory_diff_quantity
        return self.inventory_quantity_set and abs(self.quantity - seen) > 1e-6


class SandboxPicking(Stamped, Base):
    __tablename__ = "sandbox_picking"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(40), unique=True)  # CS/IN/00001, CS/INT/00001, CS/CONS/00001
    kind: Mapped[str] = mapped_column(String(12))
    state: Mapped[str] = mapped_column(String(10), default=State.ASSIGNED)
    # The purchase order for planned receipts; Wardstock's key (prefix + op_id) for pickings it creates.
    # Backorders copy it, as in Odoo.
    origin: Mapped[str | None] = mapped_column(String(80), index=True)
    backorder_id: Mapped[int | None] = mapped_column(ForeignKey("sandbox_picking.id"))
    location_id: Mapped[int] = mapped_column(ForeignKey("sandbox_location.id"))
    location_dest_id: Mapped[int] = mapped_column(ForeignKey("sandbox_location.id"))
    date_done: Mapped[datetime | None]
    partner: Mapped[str | None] = mapped_column(String(100))  # a receipt's vendor, and a return's
    return_id: Mapped[int | None] = mapped_column(ForeignKey("sandbox_picking.id"))  # the receipt a return sends back
    waste_reason: Mapped[str | None] = mapped_column(String(20))  # a scrap's or return's WasteReason
    note: Mapped[str] = mapped_column(String(200), default="")  # a consumption's case number, never a name
    # The key of the command that validated it, so a re-sent validation is told from another one
    # (an Odoo backend would keep it in the picking's note).
    validation_key: Mapped[str | None] = mapped_column(String(80))

    location: Mapped[SandboxLocation] = relationship(foreign_keys=[location_id])
    location_dest: Mapped[SandboxLocation] = relationship(foreign_keys=[location_dest_id])
    moves: Mapped[list["SandboxMove"]] = relationship(back_populates="picking", order_by="SandboxMove.id")


class SandboxMove(Base):
    """A stock move and its one move line in one row: the sandbox never splits a move across lots."""

    __tablename__ = "sandbox_move"

    id: Mapped[int] = mapped_column(primary_key=True)
    picking_id: Mapped[int | None] = mapped_column(ForeignKey("sandbox_picking.id"), index=True)  # None for counts
    product_id: Mapped[int] = mapped_column(ForeignKey("sandbox_product.id"))
    lot_id: Mapped[int | None] = mapped_column(ForeignKey("sandbox_lot.id"), index=True)  # a lot's history
    product_uom_qty: Mapped[float] = mapped_column(default=0.0)  # demand
    quantity: Mapped[float] = mapped_column(default=0.0)  # done (or to be done once picked)
    picked: Mapped[bool] = mapped_column(default=False)
    origin: Mapped[str | None] = mapped_column(String(80), index=True)  # Wardstock's per-line key
    reference: Mapped[str] = mapped_column(String(80), index=True)  # the picking's name, or COUNT-<op_id>
    location_id: Mapped[int] = mapped_column(ForeignKey("sandbox_location.id"), index=True)
    location_dest_id: Mapped[int] = mapped_column(ForeignKey("sandbox_location.id"), index=True)
    state: Mapped[str] = mapped_column(String(10), default=State.DRAFT)
    date: Mapped[datetime | None] = mapped_column(index=True)  # when it was done

    picking: Mapped[SandboxPicking | None] = relationship(back_populates="moves")
    product: Mapped[SandboxProduct] = relationship()
    lot: Mapped[SandboxLot | None] = relationship()
    location: Mapped[SandboxLocation] = relationship(foreign_keys=[location_id])
    location_dest: Mapped[SandboxLocation] = relationship(foreign_keys=[location_dest_id])


# ---- ward replenishment (issue 15) ------------------------------------------------------


class SandboxOrderpoint(Stamped, Base):
    """A par level: Odoo's reordering rule (`stock.warehouse.orderpoint`) of a product at an internal location."""

    __tablename__ = "sandbox_orderpoint"
    __table_args__ = (UniqueConstraint("product_id", "location_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    product_id: Mapped[int] = mapped_column(ForeignKey("sandbox_product.id"))
    location_id: Mapped[int] = mapped_column(ForeignKey("sandbox_location.id"), index=True)
    product_min_qty: Mapped[float] = mapped_column(default=0.0)
    product_max_qty: Mapped[float] = mapped_column(default=0.0)

    product: Mapped[SandboxProduct] = relationship()
    location: Mapped[SandboxLocation] = relationship()


class SandboxOrderpointChange(Base):
    """Each par level a command set, by its key: a command sent again is recognised, and the history stays."""

    __tablename__ = "sandbox_orderpoint_change"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(80), unique=True)  # WS-<op_id>
    orderpoint_id: Mapped[int] = mapped_column(ForeignKey("sandbox_orderpoint.id"), index=True)
    product_min_qty: Mapped[float]
    product_max_qty: Mapped[float]
    date: Mapped[datetime] = mapped_column(default=utcnow)

    orderpoint: Mapped[SandboxOrderpoint] = relationship()


# ---- expiry, recalls and waste (issue 16) ----------------------------------------------


class SandboxRecall(Base):
    """A recall notice applied to a product's lots; `key` is Wardstock's (prefix + op_id), found again on a re-send."""

    __tablename__ = "sandbox_recall"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(80), unique=True)
    product_id: Mapped[int] = mapped_column(ForeignKey("sandbox_product.id"))
    notice: Mapped[str] = mapped_column(String(200))
    lots: Mapped[int]  # how many lots it marked
    date: Mapped[datetime] = mapped_column(default=utcnow)
