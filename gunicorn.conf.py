"""gunicorn's production settings: `gunicorn -c gunicorn.conf.py --bind HOST:PORT wsgi:app`.

Chosen by measuring with tests/load/run_load.py (200 handhelds on a 2-core machine, PostgreSQL and
SQLite); options given on the command line win over these."""
import os

# A request spends part of its time waiting on the database (a few round trips, a commit); threads
# fill those waits. With 200 handhelds on PostgreSQL, two processes of eight threads gave the lowest
# p95 at the same or more requests/s than three or four processes of four threads and five sync workers.
worker_class = "gthread"
workers = int(os.environ.get("WEB_CONCURRENCY") or os.cpu_count() or 2)
threads = 8
# A handheld keeps its connection between requests a few seconds apart (the sync worker class
# would close it after each one).
keepalive = 5
timeout = 30
graceful_timeout = 30
# The TLS proxy in front logs every request; a second access log here would cost CPU for nothing.
accesslog = None
# The heartbeat file in memory, never on a disk that can stall.
worker_tmp_dir = "/dev/shm"
