"""gunicorn's settings for the portal's web service (deploy/duban-web.service), and for `make load`.

Run as ``gunicorn --config deploy/gunicorn.conf.py wsgi:app`` from the installation folder.
Options given on the command line win over these (`make load` passes its own --bind and --workers).
"""

# Behind nginx on the same machine (README, Deployment).
bind = "127.0.0.1:8000"
# Synchronous workers, each one request at a time: two to four per core.
workers = 4
# A request that takes longer is a bug or a stuck query: the worker is restarted.
timeout = 60
# One line per request on standard output, which systemd keeps in the journal.
accesslog = "-"
