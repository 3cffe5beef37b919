"""Demo users for the training sandbox: one per role, each with a badge and PIN to scan from the screen."""
from dataclasses import dataclass
from datetime import date

from sqlalchemy.orm import Session

from app.services import users as user_service
from offline_sync.backends.sandbox.demo import load_demo_stock

DEMO_PASSWORD = "wardstock-demo"


@dataclass(frozen=True)
class DemoUser:
    username: str
    display_name: str
    role: str
    badge: str
    pin: str
    wards: tuple[str, ...] = ()


DEMO_USERS = (
    DemoUser("store", "Sam Storekeeper", "storekeeper", "BADGE:1001", "1001"),
    DemoUser("nurse", "Nia Nurse (Ward 3B)", "nurse", "BADGE:2001", "2001", ("WARD-3B",)),
    DemoUser("icu.nurse", "Ike Nurse (ICU)", "nurse", "BADGE:2002", "2002", ("WARD-ICU",)),
    DemoUser("auditor", "Ada Auditor", "auditor", "BADGE:3001", "3001"),
    DemoUser("supervisor", "Sue Supervisor", "supervisor", "BADGE:4001", "4001"),
    DemoUser("admin", "Al Admin", "admin", "BADGE:9001", "9001"),
)


def load_demo(session: Session, today: date) -> list[str]:
    """Create the demo users that do not exist yet and the sandbox's demo stock; returns the users created."""
    existing = {user.username for user in user_service.list_users(session)}
    created = []
    for demo in DEMO_USERS:
        if demo.username in existing:
            continue
        user_service.create_user(
            session, username=demo.username, display_name=demo.display_name, role=demo.role,
            password=DEMO_PASSWORD, locations=demo.wards, badge_code=demo.badge, pin=demo.pin, actor="demo",
        )
        created.append(demo.username)
    session.commit()
    load_demo_stock(session, today)
    session.commit()
    return created
