"""The supervision item (督办事项): lifecycle, permissions, timeline, API."""
