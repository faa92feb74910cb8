"""The RQ worker: `python -m worker` runs the portal's queues and its schedule."""
