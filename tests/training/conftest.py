import pytest

from tests.kb.conftest import as_user  # noqa: F401
