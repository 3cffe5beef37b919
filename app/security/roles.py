"""Roles, the permissions each carries, and the four stock workflows (DESIGN §7)."""
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
    REQUEST_REPLENISHMENT = "request_replenishment"  # ward replenishment: what is low, two-bin cards
    DELIVER_REPLENISHMENT = "deliver_replenishment"  # ward replenishment: pick in the store, deliver to the ward
    SET_PAR_LEVELS = "set_par_levels"  # ward replenishment: par levels and the stock-out watch


WORKFLOWS: tuple[Permission, ...] = (Permission.RECEIVE, Permission.TRANSFER, Permission.CONSUME, Permission.COUNT)

ROLE_PERMISSIONS: dict[Role, frozenset[Permission]] = {
    Role.STOREKEEPER: frozenset({Permission.RECEIVE, Permission.TRANSFER, Permission.COUNT}),
    Role.NURSE: frozenset({Permission.CONSUME, Permission.TRANSFER}),
    Role.AUDITOR: frozenset({Permission.COUNT, Permission.VIEW_REPORTS}),
    Role.SUPERVISOR: frozenset({*WORKFLOWS, Permission.RESOLVE_CONFLICTS, Permission.VIEW_REPORTS, Permission.MANAGE_DEVICES}),
    Role.ADMIN: frozenset({Permission.MANAGE_USERS, Permission.VIEW_REPORTS, Permission.MANAGE_DEVICES}),
}

# Ward replenishment (issue 15), added to the roles above: nurses ask for their wards, storekeepers
# also pick and deliver, supervisors do all of that and set the par levels.
REPLENISHMENT_PERMISSIONS: dict[Role, frozenset[Permission]] = {
    Role.NURSE: frozenset({Permission.REQUEST_REPLENISHMENT}),
    Role.STOREKEEPER: frozenset({Permission.REQUEST_REPLENISHMENT, Permission.DELIVER_REPLENISHMENT}),
    Role.SUPERVISOR: frozenset({Permission.REQUEST_REPLENISHMENT, Permission.DELIVER_REPLENISHMENT, Permission.SET_PAR_LEVELS}),
}
for _role, _granted in REPLENISHMENT_PERMISSIONS.items():
    ROLE_PERMISSIONS[_role] = ROLE_PERMISSIONS[_role] | _granted

# Roles whose stock actions are limited to the locations assigned to them.
WARD_BOUND_ROLES = frozenset({Role.NURSE})


def role_can(role: Role, permission: Permission) -> bool:
    return permission in ROLE_PERMISSIONS[role]
