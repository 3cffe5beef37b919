"""The load test runs: 5 handhelds for 5 s against gunicorn (gunicorn.conf.py, production settings)
on SQLite, every kind of request answered without error, every command a handheld was told kept
found in the outbox and the audit log exactly once. The figures are tests/load/run_load.py's job."""
from concurrent.futures import ThreadPoolExecutor

from tests.load.run_load import Options, run


def test_five_handhelds_for_five_seconds_lose_and_double_nothing() -> None:
    lines: list[str] = []
    # In a thread of its own: the browser tests' Playwright leaves an event loop running in this one.
    with ThreadPoolExecutor(max_workers=1) as pool:
        result = pool.submit(run, Options(devices=[5], seconds=5, warmup=1, think=0.2), out=lines.append).result()
    print("\n".join(lines))
    (step,) = result.steps
    assert not step.recorder.errors, step.recorder.errors
    assert {"page", "sync", "commands"} <= set(step.recorder.latencies), step.recorder.latencies.keys()
    assert sum(step.recorder.catalog_answers.values()) >= len(step.recorder.latencies["sync"]), step.recorder.catalog_answers
    count = result.count
    assert count.told_kept > 0 and count.stored == count.told_kept == count.audited, count
    assert count.exact, count
