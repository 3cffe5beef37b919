"""The keys Wardstock writes with each command's effect, so a command sent again is recognised."""

KEY_PREFIX = "WS-"
COUNT_PREFIX = "COUNT-"


def picking_key(op_id: str) -> str:
    return f"{KEY_PREFIX}{op_id}"


def line_key(op_id: str, line: int) -> str:
    return f"{KEY_PREFIX}{op_id}/{line}"


def count_reference(op_id: str) -> str:
    return f"{COUNT_PREFIX}{op_id}"
