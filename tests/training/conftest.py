from tests.kb.conftest import as_user  # noqa: F401  (signed-in clients for the demo people)
