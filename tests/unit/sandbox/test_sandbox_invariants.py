"""Whatever storekeepers do, in whatever order: stock only changes through moves, never goes
negative, and every command is applied once however often it is sent."""

from datetime import timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sandbox_support import assert_quants_match_moves, demo_sessions

from offline_sync.backends.contract import Command, Consume, Count, ItemLine, Outcome, OutcomeStatus, Transfer
from offline_sync.backends.sandbox.backend import SandboxBackend
from offline_sync.persistence import utcnow

PLACES = ("CS-STOCK", "WARD-3B-SUPPLY", "WARD-ICU-CART", "WARD-ED-RESUS")
LOTS = (("05012345100012", "IVC20-B245"), ("05012345100012", "IVC20-C260"), ("05012345100050", "NS500-02"))

places = st.sampled_from(PLACES)
lines = st.builds(lambda lot, quantity: ItemLine(lot[0], quantity, lot[1]), st.sampled_from(LOTS), st.integers(1, 40))
ops = st.uuids().map(str)
commands = st.one_of(
    st.builds(Transfer, ops, places, places, st.tuples(lines)),
    st.builds(Consume, ops, places, st.tuples(lines, lines)),
    st.builds(
        lambda op_id, place, lot, counted, minutes: Count(
            op_id, place, lot[0], lot[1], counted, utcnow() - timedelta(minutes=minutes)
        ),
        ops,
        places,
        st.sampled_from(LOTS),
        st.integers(0, 60),
        st.integers(0, 5),
    ),
)


def _send(backend: SandboxBackend, command: Command) -> Outcome:
    send = {Transfer: backend.transfer, Consume: backend.consume, Count: backend.count}[type(command)]
    return send(command)


@settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.tuples(commands, st.booleans()), min_size=1, max_size=6))
def test_any_sequence_of_commands_keeps_the_ledger_true(steps: list[tuple[Command, bool]]) -> None:
    sessions = demo_sessions()
    backend = SandboxBackend(sessions)
    for command, resend in steps:
        first = _send(backend, command)
        assert first.status in (OutcomeStatus.APPLIED, OutcomeStatus.CONFLICT), first.message
        if resend:
            again = _send(backend, command)
            expected = OutcomeStatus.DUPLICATE if first.status == OutcomeStatus.APPLIED else OutcomeStatus.CONFLICT
            assert again.status == expected, again.message
    with sessions() as session:
        assert_quants_match_moves(session)
