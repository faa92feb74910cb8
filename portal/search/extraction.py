"""The text of a stored file for the search: the extractor (extractor.py) run in a child process with time
and memory limits (``kb.extract_timeout_seconds``, ``kb.extract_memory_mb``, ``kb.extract_max_chars``), for
the knowledge base's attachments and the items' alike."""

import json
import resource
import subprocess
import sys

from flask import current_app

from . import extractor

# The kinds the extractor reads, by a file name's extension (others have no text to search).
KINDS = {"pdf": "pdf", "docx": "docx", "xlsx": "xlsx", "pptx": "pptx",
         "png": "image", "jpg": "image", "jpeg": "image", "gif": "image", "webp": "image"}


def kind_of(name):
    """The extractor's kind for a file called ``name``, or None when it reads no text from such a file."""
    return KINDS.get(name.rsplit(".", 1)[-1].lower()) if "." in name else None


def _limits(memory_bytes, seconds):
    def apply():
        resource.setrlimit(resource.RLIMIT_AS, (memory_bytes, memory_bytes))
        resource.setrlimit(resource.RLIMIT_CPU, (seconds, seconds + 1))
        resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    return apply


def run_extractor(kind, path):
    """{"status", "text", "error"}: the extractor run in a child process under the configured limits."""
    settings = current_app.config["PORTAL"]["kb"]
    timeout = settings["extract_timeout_seconds"]
    try:
        done = subprocess.run(
            [sys.executable, "-I", extractor.__file__, kind, str(path), str(settings["extract_max_chars"])],
            capture_output=True, timeout=timeout, check=False,
            preexec_fn=_limits(settings["extract_memory_mb"] * 1024 * 1024, timeout))
    except subprocess.TimeoutExpired:
        return {"status": "failed", "text": "", "error": "the extraction took too long"}
    if done.returncode != 0:
        stderr = done.stderr.decode("utf-8", "replace")
        if done.returncode < 0 or "MemoryError" in stderr:
            error = ("the extraction took too long" if done.returncode == -24  # SIGXCPU
                     else "the file needs too much memory")
        else:
            error = f"the extractor stopped (exit {done.returncode})"
        return {"status": "failed", "text": "", "error": error}
    try:
        return json.loads(done.stdout)
    except ValueError:
        return {"status": "failed", "text": "", "error": "the extractor gave no answer"}
