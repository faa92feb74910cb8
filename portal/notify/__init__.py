"""Notifications: in-app, e-mail and group robots, delivered from a transactional outbox."""
