"""The device's GS1 AI table (static/js/gs1-ais.js) is the one scanners/ uses (biip's), regenerated."""
from tests.js.make_gs1_ais import TARGET, render


def test_generated_ai_table_is_current() -> None:
    assert TARGET.read_text() == render(), "run .venv/bin/python -m tests.js.make_gs1_ais"
