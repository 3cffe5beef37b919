"""One label of each kind, with the characters that break lesser encoders, and what reading it must give."""
from datetime import date

from app.models import User
from app.services.labels.badges import badge_card
from app.services.labels.label import Label
from app.services.labels.locations import location_label
from app.services.labels.relabels import RelabelItem, relabel
from app.services.labels.two_bin import TwoBinCard, two_bin_card
from offline_sync.catalog_cache import CachedLocation
from scanners import Kind, Scan

SYRINGE_BOX = RelabelItem("15012345100026", "Syringe 10 ml Luer lock", 10, "S<10>-(A)", date(2027, 3, 31))


def _relabel(scan: Scan) -> bool:
    return (scan.gtin, scan.lot, scan.expiry, scan.serial) == ("15012345100026", "S<10>-(A)", date(2027, 3, 31), "N>7<")


# kind -> (label, how each decoded code must read)
KINDS: dict[str, tuple[Label, object]] = {
    "location": (
        location_label(CachedLocation(id=3, barcode="WARD-3B-SUPPLY", name="Supply Room", parent_id=2, usage="internal")),
        lambda scan: (scan.kind, scan.code) == (Kind.LOCATION, "WARD-3B-SUPPLY"),
    ),
    "badge": (
        badge_card(User(username="nia", display_name="Nia Okafor", role="nurse", badge_code="BADGE:2001")),
        lambda scan: (scan.kind, scan.code) == (Kind.BADGE, "2001"),
    ),
    "relabel": (relabel(SYRINGE_BOX, serial="N>7<"), _relabel),
    "two_bin": (
        two_bin_card(TwoBinCard("Syringe 10 ml Luer lock", "5012345100029", "WARD-3B", "Ward 3B", 20, 50)),
        lambda scan: (scan.kind, scan.code) == (Kind.INTERNAL, "05012345100029:WARD-3B"),
    ),
}
