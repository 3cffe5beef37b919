"""gunicorn settings for production (`gunicorn -c gunicorn.conf.py wsgi:app`); measured by tests/load/run_load.py."""
workers = 3
worker_class = "gthread"
threads = 4
keepalive = 5
timeout = 60
graceful_timeout = 30
accesslog = None
