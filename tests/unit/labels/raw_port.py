"""A stand-in for a Zebra printer's raw port (9100): listens on a free local port and keeps what arrives."""
import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field


@dataclass
class RawPort:
    port: int
    received: bytearray = field(default_factory=bytearray)


@contextmanager
def raw_port() -> Iterator[RawPort]:
    """One connection is taken and read to its end; leaving the block waits for it (10 s at most)."""
    server = socket.create_server(("127.0.0.1", 0))
    printer = RawPort(server.getsockname()[1])

    def accept() -> None:
        connection, _ = server.accept()
        with connection:
            while chunk := connection.recv(65536):
                printer.received.extend(chunk)

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    try:
        yield printer
    finally:
        thread.join(timeout=10)
        server.close()
