import pytest
from sandbox_support import demo_sessions
from sqlalchemy.orm import Session, sessionmaker

from offline_sync.backends.sandbox.backend import SandboxBackend


@pytest.fixture
def sessions() -> sessionmaker[Session]:
    return demo_sessions()


@pytest.fixture
def backend(sessions: sessionmaker[Session]) -> SandboxBackend:
    return SandboxBackend(sessions)
