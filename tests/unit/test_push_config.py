"""Push settings in the configuration: refused when Kompas could not honour them."""

import pytest

from api.platform.settings import ConfigError, Settings

BASE = {"KOMPAS_SECRET_KEY": "k" * 40}


def config(tmp_path, **environ):
    return Settings.load({**BASE, **environ}, overrides={"INSTANCE_PATH": str(tmp_path)})


def test_push_defaults(tmp_path):
    push = config(tmp_path).push()
    assert push.transport == "log" and push.endpoint is None and push.weekly_moment == "MON 09:00"
    assert push.topic_organisations == frozenset() and push.fanout_connections == 256
    with pytest.raises(ConfigError, match="PUSH_FANOUT_CONNECTIONS"):
        config(tmp_path, PUSH_FANOUT_CONNECTIONS="0")


def test_fcm_needs_a_key_file_and_a_proper_endpoint(tmp_path):
    with pytest.raises(ConfigError, match="GOOGLE_APPLICATION_CREDENTIALS"):
        config(tmp_path, PUSH_TRANSPORT="fcm")
    with pytest.raises(ConfigError, match="GOOGLE_APPLICATION_CREDENTIALS"):
        config(tmp_path, PUSH_TRANSPORT="fcm", GOOGLE_APPLICATION_CREDENTIALS=str(tmp_path / "missing.json"))
    key = tmp_path / "key.json"
    key.write_text("{}")
    with pytest.raises(ConfigError, match="FCM_ENDPOINT"):
        config(tmp_path, PUSH_TRANSPORT="fcm", GOOGLE_APPLICATION_CREDENTIALS=str(key), FCM_ENDPOINT="fcm.internal")
    values = config(
        tmp_path,
        PUSH_TRANSPORT="fcm",
        GOOGLE_APPLICATION_CREDENTIALS=str(key),
        FCM_ENDPOINT="https://fcm-proxy.internal:8443/",
        PUSH_TOPIC_ORGANISATIONS=" douane, rijk ,",
    )
    assert values.push().endpoint == "https://fcm-proxy.internal:8443"
    assert values.push().topic_organisations == frozenset({"douane", "rijk"})
