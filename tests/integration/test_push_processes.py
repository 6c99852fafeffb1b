"""``kompas push tick``, ``worker`` and ``send-test`` as separate processes,
as cron, Kubernetes and ``make run`` start them: the real firebase-admin
talks to the fake FCM server of the test, over HTTP on 127.0.0.1."""

import signal
import time

from sqlalchemy import func, select

from dilemmas.model.installations import PushToken
from dilemmas.model.push import Batch, Campaign, LoggedMessage
from dilemmas.model.schedule import ScheduledWeek
from push.messages import fingerprint
from tests.conftest import watching
from tests.pushkit import add_devices, batches_of, campaigns, in_batch, kompas_env, run, start


def wait_for(condition, timeout=60.0, what="condition"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.05)
    raise AssertionError(f"timed out waiting for {what}")


def test_three_ticks_started_at_once_send_one_campaign_each_token_once(database_url, session, fcm, tmp_path):
    fcm.delay = 0.002  # long enough for the three to overlap
    devices = add_devices(session, 1300)
    customs = add_devices(session, 4, organisation="douane", locale="en")
    busy = add_devices(session, 3, prefix="busy")
    down = add_devices(session, 3, prefix="down")
    gone = add_devices(session, 2, prefix="unregistered")
    opted_out = add_devices(session, 5, weekly=False)
    env = kompas_env(database_url, fcm)
    ticks = [start(env, tmp_path, "push", "tick") for _ in range(3)]
    outputs = [tick.communicate(timeout=180)[0] for tick in ticks]
    assert [tick.returncode for tick in ticks] == [0, 0, 0], outputs
    wanted = devices + customs + busy + down
    assert fcm.delivered() == {d.token: 1 for d in wanted}
    assert not {d.token for d in opted_out} & set(fcm.attempts())
    assert all(fcm.attempts()[d.token] == 2 for d in busy + down)  # 429 / 503, then success
    assert session.scalar(select(func.count()).select_from(ScheduledWeek).where(ScheduledWeek.week == "2026-W50")) == 1
    weekly = campaigns(session, "weekly")
    assert len(weekly) == 2 and all(c.finished_at is not None for c in weekly)
    # Every batch was sent by exactly one of the three: its line appears once in all output.
    batch_lines = [line for output in outputs for line in output.splitlines() if " batch " in line]
    assert len(batch_lines) == len(set(batch_lines)) == session.scalar(select(func.count()).select_from(Batch))
    # UNREGISTERED retired the tokens; the counts say so.
    remaining = set(session.scalars(select(PushToken.token)))
    assert not {d.token for d in gone} & remaining and {d.token for d in wanted} <= remaining
    assert sum(b.retired for c in weekly for b in batches_of(session, c.id)) == 2
    assert sum(b.sent for c in weekly for b in batches_of(session, c.id)) == len(wanted)


def test_a_killed_tick_resumes_without_resending_finished_batches(database_url, session, fcm, tmp_path):
    devices = add_devices(session, 1500)
    env = kompas_env(database_url, fcm)
    fcm.hold_after(700)  # FCM stalls halfway through the second batch
    tick = start(env, tmp_path, "push", "tick")
    with watching(database_url) as watcher:

        def first_batch_done():
            return watcher.scalar(select(Batch.state).where(Batch.number == 0).order_by(Batch.campaign_id)) == "done"

        wait_for(first_batch_done, what="the first batch to be recorded as done")
        wait_for(lambda: sum(fcm.delivered().values()) >= 700, what="FCM to stall")
        tick.send_signal(signal.SIGKILL)
        tick.communicate(timeout=30)
        [campaign] = [c for c in campaigns(watcher, "weekly") if c.planned == 1500]
        states_at_kill = [b.state for b in batches_of(watcher, campaign.id)]
    assert tick.returncode == -signal.SIGKILL
    assert states_at_kill[0] == "done" and states_at_kill[2] == "pending"
    fcm.release()
    output = run(env, tmp_path, "push", "tick")
    # The second run sent batches 2 and 3 of that campaign, not batch 1 again.
    assert f"campaign {campaign.id} batch 1:" not in output
    assert f"campaign {campaign.id} batch 2:" in output and f"campaign {campaign.id} batch 3:" in output
    batches = batches_of(session, campaign.id)
    assert [b.state for b in batches] == ["done", "done", "done"]
    delivered = fcm.delivered()
    assert set(delivered) == {d.token for d in devices}
    for device in devices:
        if in_batch(batches[1], device.installation_id):
            assert delivered[device.token] in (1, 2)  # the batch cut short is sent again
        else:
            assert delivered[device.token] == 1, device
    assert session.get(Campaign, campaign.id).finished_at is not None


def test_the_worker_with_the_log_transport_records_the_weekly_push_and_stops_on_sigterm(
    database_url, session, tmp_path
):
    """What ``make run`` does with KOMPAS_NOW on a Monday 09:01."""
    with_token = add_devices(session, 6) + add_devices(session, 3, organisation="douane", locale="en")
    add_devices(session, 2, with_token=False)
    add_devices(session, 2, weekly=False)
    worker = start(kompas_env(database_url), tmp_path, "push", "worker", "--interval", "0.2")
    with watching(database_url) as watcher:
        wait_for(
            lambda: watcher.scalar(select(func.count()).select_from(LoggedMessage)) >= len(with_token),
            what="the weekly push in the log",
        )
        time.sleep(0.5)  # a few more ticks: nothing may be recorded twice
        worker.send_signal(signal.SIGTERM)
        output = worker.communicate(timeout=30)[0]
        logged = watcher.scalars(select(LoggedMessage)).all()
    assert worker.returncode == 0, output
    assert "Push worker started" in output and "Push worker stopped." in output
    assert sorted(m.target for m in logged) == sorted(fingerprint(d.token) for d in with_token)
    assert {m.kind for m in logged} == {"weekly"} and {m.data["week"] for m in logged} == {"2026-W50"}
    assert not any(d.token in output for d in with_token)  # the log holds no tokens


def test_send_test_reports_what_fcm_answered(database_url, fcm, tmp_path):
    env = kompas_env(database_url, fcm)
    assert "Sent through fcm: projects/kompas-fake/messages/" in run(env, tmp_path, "push", "send-test", "my-phone")
    assert fcm.messages()[-1]["token"] == "my-phone"
    output = run(env, tmp_path, "push", "send-test", "unregistered-phone", ok=False)
    assert "UNREGISTERED" in output and "the token is dead" in output
    output = run(env, tmp_path, "push", "send-test", "--kind", "fid", "--locale", "en", "a-fid")
    assert fcm.messages()[-1]["fid"] == "a-fid" and fcm.messages()[-1]["notification"]["title"] == "Kompas test message"
    logged = run(kompas_env(database_url), tmp_path, "push", "send-test", "my-phone")
    assert "Sent through log" in logged


def test_fcm_without_credentials_is_refused_with_a_clear_message(database_url, tmp_path):
    env = kompas_env(database_url, PUSH_TRANSPORT="fcm", GOOGLE_APPLICATION_CREDENTIALS=str(tmp_path / "missing.json"))
    output = run(env, tmp_path, "push", "tick", ok=False)
    assert "GOOGLE_APPLICATION_CREDENTIALS" in output
