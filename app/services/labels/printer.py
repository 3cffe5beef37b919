"""Sending a ZPL job to a Zebra printer's raw port (9100) over TCP."""
import socket

from flask_babel import gettext

RAW_PORT = 9100
TIMEOUT_SECONDS = 10.0


class PrinterUnreachable(OSError):
    """The printer did not take the job; the message says which address and why."""


def send(host: str, port: int, job: str, timeout: float = TIMEOUT_SECONDS) -> None:
    try:
        with socket.create_connection((host, port), timeout=timeout) as connection:
            connection.sendall(job.encode())
    except OSError as error:
        raise PrinterUnreachable(gettext(
            "The printer at %(address)s did not take the job (%(error)s). Check that it is on and on the network, and its address "
            "on the printers page; or download the ZPL and print it another way.", address=host + ":" + str(port), error=error.strerror or error)
        ) from error
