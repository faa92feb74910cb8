"""The commands of docs/interfaces.md: names and options as specified, each run inside the app context."""

from pathlib import Path

import pytest

pytestmark = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)

COMMANDS = {
    "init-db": [],
    "seed-demo": ["--if-empty"],
    "ldap-sync": [],
    "remind": None,  # its options belong to the reminders
    "backup": ["--to"],
    "restore": [],
    "create-user": ["--role", "--department", "--name", "--email", "--password"],
    "create-token": ["--name", "--expires"],
}


@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_command_exists_with_its_options_and_pushes_the_app_context(app, name):
    command = app.cli.commands[name]
    if COMMANDS[name] is not None:
        options = [opt for param in command.params for opt in param.opts if opt.startswith("--")]
        assert options == COMMANDS[name]
    assert hasattr(command.callback, "__wrapped__"), f"{name} lacks @with_appcontext"


def test_backup_runs_without_a_context_pushed_by_the_caller(make_app, tmp_path):
    uploads = tmp_path / "elsewhere"
    app = make_app(uploads={"folder": str(uploads)})
    uploads.mkdir()
    (uploads / "ab12").write_bytes(b"evidence")
    result = app.test_cli_runner().invoke(args=["backup", "--to", str(tmp_path / "backups")])
    assert result.exit_code == 0, result.output
    assert Path(result.output.strip().splitlines()[-1]).parent == tmp_path / "backups"
