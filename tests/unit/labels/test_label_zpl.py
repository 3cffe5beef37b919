"""The ZPL for Zebra printers: read back by a ZPL reader of the test's own, its graphics decoded by
`scanners`, its text compared; and a job sent to a printer's raw port arrives whole."""
import socket

import numpy as np
import pytest

from app.services.labels.printer import PrinterUnreachable, send
from app.services.labels.zpl import ZEBRA_STOCKS, field_data, zpl_document
from tests.unit.labels.kinds import KINDS
from tests.unit.labels.raw_port import raw_port
from tests.unit.labels.support import scans
from tests.unit.labels.zpl_reader import read_zpl


@pytest.mark.parametrize("stock", sorted(ZEBRA_STOCKS))
def test_every_kind_in_zpl_decodes_to_the_same_fields_and_carries_its_text(stock: str) -> None:
    kinds = sorted(KINDS)
    document = zpl_document([(KINDS[kind][0], copies) for copies, kind in enumerate(kinds, start=1)], ZEBRA_STOCKS[stock])
    labels = read_zpl(document)
    assert len(labels) == len(kinds)
    for copies, (kind, printed) in enumerate(zip(kinds, labels, strict=True), start=1):
        label, reads_right = KINDS[kind]
        assert printed.copies == copies
        assert printed.image.shape == (round(ZEBRA_STOCKS[stock].height * 8), round(ZEBRA_STOCKS[stock].width * 8))
        found = scans(np.pad(printed.image, 20, constant_values=255))
        assert "DataMatrix" in found, f"{kind}: read {sorted(found)}"
        assert all(reads_right(scan) for scan in found.values()), found
        assert any(text.startswith(label.title.split()[0]) for text in printed.texts), printed.texts
        assert "".join(printed.texts).count(label.human_readable) == 1, printed.texts


def test_field_data_never_carries_a_zpl_command_character() -> None:
    text = "(10)A^B~C_D\\E·É"
    escaped = field_data(text)
    assert not set("^~") & set(escaped)
    assert escaped == "(10)A_5EB_7EC_5FD_5CE_C2_B7_C3_89"


def test_a_job_sent_to_a_printer_port_arrives_whole() -> None:
    job = zpl_document([(KINDS["relabel"][0], 2)], ZEBRA_STOCKS["zebra-4x2"])
    with raw_port() as printer:
        send("127.0.0.1", printer.port, job)
    assert printer.received.decode() == job


def test_a_printer_that_does_not_answer_is_a_sentence_to_act_on() -> None:
    closed = socket.create_server(("127.0.0.1", 0))
    port = closed.getsockname()[1]
    closed.close()
    with pytest.raises(PrinterUnreachable, match=f"The printer at 127.0.0.1:{port} did not take the job"):
        send("127.0.0.1", port, "^XA^XZ", timeout=2)
