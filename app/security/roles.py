"""Roles, the permissions each carries, and the four stock workflows (DESIGN §7); expiry, recalls and waste
(issue 16) are granted in their own table beside them."""
from enum import StrEnum


class Role(StrEnum):
    STOREKEEPER = "storekeeper"
    NURSE = "nurse"
    AUDITOR = "auditor"
    SUPERVISOR = "supervisor"
    ADMIN = "admin"


class Permission(StrEnum):
    RECEIVE = "receive"
    TRANSFER = "transfer"
    CONSUME = "consume"
    COUNT = "count"
    RESOLVE_CONFLICTS = "resolve_conflicts"
    VIEW_REPORTS = "view_reports"
    MANAGE_USERS = "manage_users"
    MANAGE_DEVICES = "manage_devices"  # see the handhelds, revoke a token
    VIEW_WARDS = "view_wards"  # the wards and locations Wardstock knows, with the users assigned to each
    PRINT_LABELS = "print_labels"  # location, badge, relabel and two-bin labels
    MANAGE_PRINTERS = "manage_printers"  # the Zebra printers' addresses
    REQUEST_REPLENISHMENT = "request_replenishment"  # ward replenishment: what is low, two-bin cards
    DELIVER_REPLENISHMENT = "deliver_replenishment"  # ward replenishment: pick in the store, deliver to the ward
    SET_PAR_LEVELS = "set_par_levels"  # ward replenishment: par levels and the stock-out watch
    # Expiry, recalls and waste (issue 16)
    SWEEP = "sweep"  # list what to pull at a location, pull it
    WASTE = "waste"  # record waste: an Odoo scrap with a reason
    QUARANTINE = "quarantine"  # move lots to the quarantine location
    RETURN_TO_VENDOR = "return_to_vendor"
    RECALL = "recall"  # enter a recall notice
    EXPIRY_REPORTS = "expiry_reports"  # the recall trace and the expiry and waste dashboard (read-only)


WORKFLOWS: tuple[Permission, ...] = (Permission.RECEIVE, Permission.TRANSFER, Permission.CONSUME, Permission.COUNT)

ROLE_PERMISSIONS: dict[Role, frozenset[Permission]] = {
    Role.STOREKEEPER: frozenset({Permission.RECEIVE, Permission.TRANSFER, Permission.COUNT, Permission.PRINT_LABELS}),
    Role.NURSE: frozenset({Permission.CONSUME, Permission.TRANSFER}),
    Role.AUDITOR: frozenset({Permission.COUNT, Permission.VIEW_REPORTS}),
    Role.SUPERVISOR: frozenset({*WORKFLOWS, Permission.RESOLVE_CONFLICTS, Permission.VIEW_REPORTS, Permission.MANAGE_DEVICES,
                                  Permission.PRINT_LABELS, Permission.VIEW_WARDS}),
    Role.ADMIN: frozenset({Permission.MANAGE_USERS, Permission.VIEW_REPORTS, Permission.MANAGE_DEVICES, Permission.PRINT_LABELS,
                        Permission.MANAGE_PRINTERS, Permission.VIEW_WARDS}),
}

# Ward replenishment (issue 15), beside the roles above: nurses ask for their wards, storekeepers
# also pick and deliver, supervisors do all of that and set the par levels.
REPLENISHMENT_PERMISSIONS: dict[Role, frozenset[Permission]] = {
    Role.NURSE: frozenset({Permission.REQUEST_REPLENISHMENT}),
    Role.STOREKEEPER: frozenset({Permission.REQUEST_REPLENISHMENT, Permission.DELIVER_REPLENISHMENT}),
    Role.SUPERVISOR: frozenset({Permission.REQUEST_REPLENISHMENT, Permission.DELIVER_REPLENISHMENT, Permission.SET_PAR_LEVELS}),
}
# Expiry, recalls and waste (issue 16): every stock role sweeps and wastes (nurses within their wards);
# the store quarantines and returns; a supervisor recalls; supervisors and auditors read the trace and dashboard.
EXPIRY_PERMISSIONS: dict[Role, frozenset[Permission]] = {
    Role.STOREKEEPER: frozenset({Permission.SWEEP, Permission.WASTE, Permission.QUARANTINE, Permission.RETURN_TO_VENDOR}),
    Role.NURSE: frozenset({Permission.SWEEP, Permission.WASTE}),
    Role.AUDITOR: frozenset({Permission.SWEEP, Permission.WASTE, Permission.EXPIRY_REPORTS}),
    Role.SUPERVISOR: frozenset({Permission.SWEEP, Permission.WASTE, Permission.QUARANTINE, Permission.RETURN_TO_VENDOR,
                                Permission.RECALL, Permission.EXPIRY_REPORTS}),
    Role.ADMIN: frozenset(),
}

# Each capability's own table; a role may do what any of them grants it.
PERMISSION_TABLES: tuple[dict[Role, frozenset[Permission]], ...] = (
    ROLE_PERMISSIONS,
    REPLENISHMENT_PERMISSIONS,
    EXPIRY_PERMISSIONS,
)

# Roles whose stock actions are limited to the locations assigned to them.
WARD_BOUND_ROLES = frozenset({Role.NURSE})


def role_can(role: Role, permission: Permission) -> bool:
    return any(permission in table.get(role, frozenset()) for table in PERMISSION_TABLES)
