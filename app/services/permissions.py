"""May this user do this command here? Asked when a command is accepted and again when it syncs
(DESIGN §7): a role changed or a user disabled in between stops it."""
from sqlalchemy.orm import Session

from app.models import User
from app.security.roles import WARD_BOUND_ROLES, Permission, Role
from offline_sync.backends.contract import (
    Command,
    Consume,
    Count,
    DeliverReplenishment,
    PickReplenishment,
    Quarantine,
    Recall,
    Receive,
    RequestReplenishment,
    ResolveCount,
    Scrap,
    SetParLevel,
    Transfer,
    UnplannedReceipt,
    ValidateReceipt,
    VendorReturn,
)
from offline_sync.catalog_cache import location_by_barcode, location_path

KIND_PERMISSION = {
    "receive": Permission.RECEIVE,
    "receive_validate": Permission.RECEIVE,
    "receive_unplanned": Permission.RECEIVE,
    "transfer": Permission.TRANSFER,
    "consume": Permission.CONSUME,
    "count": Permission.COUNT,
    "replenish_request": Permission.REQUEST_REPLENISHMENT,
    "replenish_pick": Permission.DELIVER_REPLENISHMENT,
    "replenish_deliver": Permission.DELIVER_REPLENISHMENT,
    "par_level_set": Permission.SET_PAR_LEVELS,
    "scrap": Permission.WASTE,
    "quarantine": Permission.QUARANTINE,
    "vendor_return": Permission.RETURN_TO_VENDOR,
    "recall": Permission.RECALL,
}


def locations_of(command: Command) -> list[str]:
    match command:
        case Transfer():
            return [command.source, command.destination]
        case Consume() | Count() | Scrap():
            return [command.location]
        case Quarantine() | VendorReturn():
            return [command.source]
        case UnplannedReceipt():
            return [command.destination]
        case ResolveCount():
            return locations_of(command.count)
        case Receive() | ValidateReceipt() | Recall():
            return []
        case RequestReplenishment() | SetParLevel() | DeliverReplenishment():
            return [command.location]
        case PickReplenishment():
            return []
    raise TypeError(f"no locations for {type(command).__name__}")


def problem(session: Session, user: User | None, kind: str, command: Command) -> str | None:
    """None when allowed, else a sentence saying why not."""
    if user is None:
        return "The user who captured this command does not exist any more."
    if not user.active:
        return f"{user.username} is disabled; a supervisor can attribute the command to someone else."
    permission = KIND_PERMISSION[kind]
    if not user.can(permission):
        return f"{user.username} is a {user.role} and may not {permission.value.replace('_', ' ')}."
    if Role(user.role) not in WARD_BOUND_ROLES:
        return None
    wards = set(user.location_codes)
    for barcode in locations_of(command):
        location = location_by_barcode(session, barcode)
        if location is None:
            return f"Location {barcode} is not known here yet; scan a location label of your ward."
        if wards.isdisjoint(location_path(session, location)):
            return f"{user.username} may only act on {', '.join(sorted(wards)) or 'no location'}; {barcode} is outside."
    return None
