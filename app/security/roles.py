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
    VIEW_WARDS = "view_wards"  # the wards and locations Wardstock knows, with the users assigned to each


WORKFLOWS: tuple[Permission, ...] = (Permission.RECEIVE, Permission.TRANSFER, Permission.CONSUME, Permission.COUNT)

ROLE_PERMISSIONS: dict[Role, frozenset[Permission]] = {
    Role.STOREKEEPER: frozenset({Permission.RECEIVE, Permission.TRANSFER, Permission.COUNT}),
    Role.NURSE: frozenset({Permission.CONSUME, Permission.TRANSFER}),
    Role.AUDITOR: frozenset({Permission.COUNT, Permission.VIEW_REPORTS}),
    Role.SUPERVISOR: frozenset({*WORKFLOWS, Permission.RESOLVE_CONFLICTS, Permission.VIEW_REPORTS, Permission.MANAGE_DEVICES,
                                   Permission.VIEW_WARDS}),
    Role.ADMIN: frozenset({Permission.MANAGE_USERS, Permission.VIEW_REPORTS, Permission.MANAGE_DEVICES, Permission.VIEW_WARDS}),
}

# Roles whose stock actions are limited to the locations assigned to them.
WARD_BOUND_ROLES = frozenset({Role.NURSE})


def role_can(role: Role, permission: Permission) -> bool:
    return permission in ROLE_PERMISSIONS[role]
