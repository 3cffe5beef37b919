"""May this user do this command here? Asked when a command is accepted and again when it syncs
(DESIGN §7): a role changed or a user disabled in between stops it."""
from flask_babel import gettext, lazy_gettext
from sqlalchemy.orm import Session

from app.i18n import role_name
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

# Each permission a command needs, in the words of "… may not <action>".
ACTION_WORDS = {
    Permission.RECEIVE: lazy_gettext("receive"),
    Permission.TRANSFER: lazy_gettext("transfer"),
    Permission.CONSUME: lazy_gettext("consume"),
    Permission.COUNT: lazy_gettext("count"),
    Permission.REQUEST_REPLENISHMENT: lazy_gettext("request replenishment"),
    Permission.DELIVER_REPLENISHMENT: lazy_gettext("deliver replenishment"),
    Permission.SET_PAR_LEVELS: lazy_gettext("set par levels"),
    Permission.WASTE: lazy_gettext("waste"),
    Permission.QUARANTINE: lazy_gettext("quarantine"),
    Permission.RETURN_TO_VENDOR: lazy_gettext("return to vendor"),
    Permission.RECALL: lazy_gettext("recall"),
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
        return gettext("The user who captured this command does not exist any more.")
    if not user.active:
        return gettext("%(user)s is disabled; a supervisor can attribute the command to someone else.", user=user.username)
    permission = KIND_PERMISSION[kind]
    if not user.can(permission):
        return gettext("%(user)s is a %(role)s and may not %(action)s.", user=user.username, role=role_name(user.role),
                       action=ACTION_WORDS.get(permission, permission.value.replace('_', ' ')))
    if Role(user.role) not in WARD_BOUND_ROLES:
        return None
    wards = set(user.location_codes)
    for barcode in locations_of(command):
        location = location_by_barcode(session, barcode)
        if location is None:
            return gettext("Location %(location)s is not known here yet; scan a location label of your ward.", location=barcode)
        if wards.isdisjoint(location_path(session, location)):
            return gettext("%(user)s may only act on %(wards)s; %(location)s is outside.", user=user.username,
                           wards=', '.join(sorted(wards)) or gettext('no location'), location=barcode)
    return None
