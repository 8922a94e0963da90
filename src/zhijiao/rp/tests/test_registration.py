"""``zhijiao demo-rp`` registers the sample app once and reuses it, through the app registry's services."""

from __future__ import annotations

import json
import stat

import pytest
from django.contrib.auth.hashers import check_password
from django.core.management import CommandError, call_command

from zhijiao.cli import COMMANDS, main
from zhijiao.oidc.models import RegisteredApp
from zhijiao.rp.registration import APP_NAME, demo_rp_register


@pytest.fixture
def path(tmp_path):
    return tmp_path / "demo-rp.json"


def _app() -> RegisteredApp:
    return RegisteredApp.objects.select_related("application").get(application__name=APP_NAME)


def test_the_first_start_registers_a_confidential_client_with_its_addresses(db, path):
    client = demo_rp_register(base_url="http://127.0.0.1:8001/", path=path)
    app = _app()
    assert app.application.client_id == client.client_id and app.application.client_type == "confidential"
    assert app.application.redirect_uris == "http://127.0.0.1:8001/callback"
    assert app.application.post_logout_redirect_uris == "http://127.0.0.1:8001/"
    assert app.backchannel_logout_uri == "http://127.0.0.1:8001/backchannel-logout"
    assert not app.application.skip_authorization  # a third-party app: people see the consent page
    assert check_password(client.client_secret, app.application.client_secret)  # stored hashed, ours verifies
    assert json.loads(path.read_text())["client_id"] == client.client_id
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_later_starts_reuse_the_client_and_follow_a_new_port(db, path):
    first = demo_rp_register(base_url="http://127.0.0.1:8001", path=path)
    again = demo_rp_register(base_url="http://127.0.0.1:8001", path=path)
    assert again == first
    moved = demo_rp_register(base_url="http://127.0.0.1:8765", path=path, trusted=True)
    assert (moved.client_id, moved.client_secret) == (first.client_id, first.client_secret)
    app = _app()
    assert app.application.redirect_uris == "http://127.0.0.1:8765/callback" and app.application.skip_authorization
    assert RegisteredApp.objects.count() == 1


def test_a_lost_secret_file_gets_a_new_secret_for_the_same_client(db, path, tmp_path):
    first = demo_rp_register(base_url="http://127.0.0.1:8001", path=path)
    path.unlink()
    second = demo_rp_register(base_url="http://127.0.0.1:8001", path=path)
    assert second.client_id == first.client_id and second.client_secret != first.client_secret
    assert check_password(second.client_secret, _app().application.client_secret)
    assert not check_password(first.client_secret, _app().application.client_secret)


def test_a_disabled_registration_is_enabled_again(db, path):
    from zhijiao.oidc.services import app_set_active

    demo_rp_register(base_url="http://127.0.0.1:8001", path=path)
    app_set_active(actor=None, app=_app(), active=False)
    demo_rp_register(base_url="http://127.0.0.1:8001", path=path)
    assert _app().is_active


def test_the_command_is_in_the_cli(capsys):
    main(["--help"])
    assert "demo-rp" in capsys.readouterr().out and COMMANDS["demo-rp"] == "demo_rp"
    with pytest.raises(CommandError, match="--port"):
        call_command("demo_rp", "--port", "not-a-port")
