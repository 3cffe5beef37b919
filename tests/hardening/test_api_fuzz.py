"""Fuzz the device API from its own OpenAPI file (schemathesis): whatever a device sends, the
server answers with a status it documents, never a 5xx."""
from collections import Counter

import pytest
import schemathesis
from flask import Flask
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error

from app.extensions import db
from app.models import User
from app.services import devices


@pytest.fixture
def device_token(app: Flask, runner) -> str:  # noqa: ANN001
    assert runner.invoke(args=["demo", "load"]).exit_code == 0
    with app.app_context():
        nurse = db.session.query(User).filter_by(username="nurse").one()
        token = devices.register(db.session, "fuzz-device-01", "fuzz", nurse, "127.0.0.1")
        db.session.commit()
        return token


def test_the_device_api_never_answers_a_server_error(app: Flask, device_token: str) -> None:
    # Each operation's hypothesis strategy is driven here: schemathesis's own pytest plugin does not
    # run under pytest 9.
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) == 5
    answers: dict[str, Counter[int]] = {}
    for operation in operations:
        seen = answers.setdefault(operation.label, Counter())

        @given(case=operation.as_strategy())
        @settings(max_examples=40, deadline=None, database=None, suppress_health_check=list(HealthCheck))
        def no_server_error(case) -> None:  # noqa: ANN001
            if isinstance(case.body, dict) and "commands" in case.body:
                case.body["device_id"] = "fuzz-device-01"  # past the door, into each command's checks
            response = case.call_and_validate(headers={"Authorization": f"Bearer {device_token}"}, checks=[not_a_server_error])
            seen[response.status_code] += 1

        no_server_error()
    print(answers)
    assert all(sum(statuses.values()) >= 10 for statuses in answers.values()), answers
    assert answers["GET /catalog"][200] > 0 and answers["POST /commands"][200] > 0
