import json
import logging

from app.logs import JsonLines


def test_log_lines_are_json_with_the_op_id() -> None:
    record = logging.LogRecord("offline_sync.outbox.worker", logging.WARNING, __file__, 1, "parked as %s", ("unknown_lot",), None)
    record.op_id = "6f1c2a8e-0000-4000-8000-000000000001"
    line = json.loads(JsonLines().format(record))
    assert line["message"] == "parked as unknown_lot"
    assert line["op_id"] == record.op_id and line["level"] == "WARNING" and line["logger"] == "offline_sync.outbox.worker"
