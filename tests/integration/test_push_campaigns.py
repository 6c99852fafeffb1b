"""Campaigns end to end inside one process: the tick with the real fcm
transport (firebase-admin against the fake FCM server) or the log
transport, on SQLite or PostgreSQL."""

import logging
from collections import Counter

import pytest
from sqlalchemy import func, select

from api.platform.settings import parse_now
from dilemmas.employee import answers, installations
from dilemmas.errors import Invalid, NotFound, UnknownReference
from dilemmas.model.answers import Answer
from dilemmas.model.installations import Installation, PushToken
from dilemmas.model.organisations import Organisation
from dilemmas.model.push import Campaign, LoggedMessage, TopicMember
from dilemmas.model.schedule import ScheduledWeek
from dilemmas.storage.database import make_engine, make_sessionmaker
from push import campaigns as campaign_service
from push import tick
from push.messages import fingerprint
from push.transports import open_transport
from tests.conftest import SECRET
from tests.factories import bank, schedule
from tests.pushkit import MONDAY_0901, add_devices, batches_of, campaigns, settings

SECRET_KEY = SECRET.encode()
THURSDAY_1201 = "2026-12-10T12:01:00+01:00"


@pytest.fixture
def sessions(database_url):
    engine = make_engine(database_url)
    yield make_sessionmaker(engine)
    engine.dispose()


class Pusher:
    """Runs ticks as ``kompas push tick`` would, with a chosen transport."""

    def __init__(self, sessions, fcm=None, **overrides):
        if fcm is not None:
            overrides.update(transport="fcm", credentials=str(fcm.credentials), endpoint=fcm.url)
        self.settings = settings(**overrides)
        self.sessions = sessions
        self.transport = open_transport(self.settings, sessions)
        self.slept = []

    def tick(self, moment, should_stop=lambda: False):
        with self.sessions() as session:
            return list(
                tick.run_due(
                    session,
                    parse_now(moment),
                    self.settings,
                    self.transport,
                    should_stop=should_stop,
                    sleep=self.slept.append,
                )
            )

    def close(self):
        self.transport.close()


@pytest.fixture
def pusher(sessions, fcm):
    made = []

    def build(**overrides):
        made.append(Pusher(sessions, fcm, **overrides))
        return made[-1]

    yield build
    for pusher in made:
        pusher.close()


def sent_to(fcm, kind="weekly"):
    """Token -> the data of the messages of ``kind`` it received."""
    received = {}
    for message in fcm.messages():
        if message["data"]["type"] == kind and "token" in message:
            received.setdefault(message["token"], []).append(message["data"])
    return received


def test_nothing_before_the_moment_once_at_it_and_never_again(pusher, fcm, session):
    devices = add_devices(session, 30)
    push = pusher()
    assert push.tick("2026-12-07T08:59:00+01:00") == [
        "scheduled dilemma " + _scheduled(session) + " automatically for week 2026-W50"
    ]
    assert fcm.messages() == [] and campaigns(session) == []
    lines = push.tick(MONDAY_0901)
    assert any("campaign" in line and "finished" in line for line in lines)
    assert fcm.delivered() == {d.token: 1 for d in devices}
    for later in ("2026-12-07T09:30:00+01:00", "2026-12-09T18:00:00+01:00", "2026-12-13T23:59:00+01:00"):
        push.tick(later)
    assert fcm.delivered() == {d.token: 1 for d in devices}
    assert [(c.kind, c.week) for c in campaigns(session, "weekly")] == [("weekly", "2026-W50")] * 2
    # Thursday's reminders came, for nobody: no device asked for them.
    assert [c.planned for c in campaigns(session, "reminder")] == [0, 0]


def _scheduled(session):
    return str(session.scalar(select(ScheduledWeek.dilemma_id).where(ScheduledWeek.week == "2026-W50")))


def test_each_organisation_gets_its_own_dilemma_and_opted_out_devices_nothing(pusher, fcm, session):
    rijk_dilemma = schedule(session, bank(session)[0], "2026-W50")
    customs_dilemma = schedule(session, bank(session, "douane")[0], "2026-W50", organisation="douane")
    rijk = add_devices(session, 4)
    customs = add_devices(session, 3, organisation="douane", locale="en")
    opted_out = add_devices(session, 2, weekly=False)
    without_token = add_devices(session, 2, with_token=False)
    pusher().tick(MONDAY_0901)
    received = sent_to(fcm)
    assert {d.token for d in rijk + customs} == set(received)
    assert all(
        received[d.token] == [{"type": "weekly", "week": "2026-W50", "dilemma_id": str(rijk_dilemma.id)}] for d in rijk
    )
    assert all(received[d.token][0]["dilemma_id"] == str(customs_dilemma.id) for d in customs)
    assert not {d.token for d in opted_out + without_token} & set(fcm.attempts())
    titles = {m["token"]: m["notification"]["title"] for m in fcm.messages()}
    assert titles[customs[0].token] == "This week's dilemma" and titles[rijk[0].token] == "Het dilemma van deze week"


def answer(sessions, device, dilemma_id, option, moment):
    """Answer as the device's app would: a request that carries its bearer
    token (the only way to its keys)."""
    with sessions() as own:
        caller = installations.authenticate(own, SECRET_KEY, device.bearer)
        answers.submit(own, caller, dilemma_id, option, parse_now(moment))


def test_the_reminder_goes_to_everyone_who_asked_answered_or_not_and_is_sent_once(pusher, fcm, session, sessions):
    dilemma = schedule(session, bank(session)[0], "2026-W50")
    answered = add_devices(session, 3, reminders=True, prefix="answered")
    waiting = add_devices(session, 4, reminders=True, prefix="waiting")
    add_devices(session, 2, reminders=False, prefix="quiet")
    push = pusher()
    push.tick(MONDAY_0901)
    for device in answered:
        answer(sessions, device, dilemma.id, "B", "2026-12-08T10:00:00+01:00")
    assert session.scalar(select(func.count()).select_from(Answer).where(Answer.dilemma_id == dilemma.id)) == 3
    assert sent_to(fcm, "reminder") == {}
    push.tick("2026-12-10T11:59:00+01:00")
    assert sent_to(fcm, "reminder") == {}
    push.tick(THURSDAY_1201)
    push.tick("2026-12-11T09:00:00+01:00")
    reminded = sent_to(fcm, "reminder")
    # The server cannot tell who answered: every device that asked for
    # reminders gets one (the app hides it for an answered dilemma), once.
    assert set(reminded) == {d.token for d in answered + waiting}
    assert all(len(data) == 1 and data[0]["dilemma_id"] == str(dilemma.id) for data in reminded.values())
    assert len(sent_to(fcm, "weekly")) == 9
    reminder = campaigns(session, "reminder")[0]
    assert (reminder.planned, sum(b.targeted for b in batches_of(session, reminder.id))) == (7, 7)
    message = next(m for m in fcm.messages() if m["data"]["type"] == "reminder")
    assert message["android"]["collapse_key"] == "kompas-reminder"
    # Data only (docs/push.md): the app shows it, and only for a dilemma it did not answer.
    assert "notification" not in message and "notification" not in message["android"]
    assert message["apns"]["payload"]["aps"] == {"content-available": 1}
    assert message["apns"]["headers"]["apns-push-type"] == "background"


def test_retryable_errors_are_retried_and_dead_tokens_retired(pusher, fcm, session):
    fine = add_devices(session, 5)
    busy = add_devices(session, 2, prefix="busy")
    down = add_devices(session, 2, prefix="down")
    gone = add_devices(session, 2, prefix="unregistered")
    invalid = add_devices(session, 1, prefix="invalid")
    rejected = add_devices(session, 1, prefix="payload")
    fcm.script(rejected[0].token, "INVALID_PAYLOAD")
    push = pusher()
    push.tick(MONDAY_0901)
    assert fcm.delivered() == {d.token: 1 for d in fine + busy + down}
    assert all(fcm.attempts()[d.token] == 2 for d in busy + down)
    assert push.slept and min(push.slept) >= 1.0  # the fake's Retry-After
    remaining = set(session.scalars(select(PushToken.token)))
    assert not {d.token for d in gone + invalid} & remaining
    assert rejected[0].token in remaining  # a bad message says nothing about the token
    [summary] = [
        s for s in campaign_service.list_campaigns(session, parse_now(MONDAY_0901)) if s.organisation == "rijk"
    ]
    assert (summary.state, summary.targeted, summary.sent, summary.retired_tokens) == ("done", 13, 9, 3)
    assert summary.failed == {"UNREGISTERED": 2, "INVALID_ARGUMENT": 2}


def test_a_batch_fcm_turns_away_entirely_is_given_back_for_a_later_tick(pusher, fcm, session):
    devices = add_devices(session, 4)
    for device in devices:
        fcm.script(device.token, *["UNAVAILABLE"] * 5)
    push = pusher()
    lines = push.tick(MONDAY_0901)
    assert any("FCM refused it (UNAVAILABLE); a later tick tries again" in line for line in lines)
    weekly = next(c for c in campaigns(session, "weekly") if c.organisation_id == _rijk(session))
    assert [b.state for b in batches_of(session, weekly.id)] == ["pending"] and weekly.finished_at is None
    assert fcm.delivered() == {} and all(fcm.attempts()[d.token] == 5 for d in devices)
    push.tick("2026-12-07T09:02:00+01:00")
    assert fcm.delivered() == {d.token: 1 for d in devices}
    [summary] = [s for s in campaign_service.list_campaigns(session, parse_now(MONDAY_0901)) if s.id == weekly.id]
    assert (summary.state, summary.sent, summary.failed) == ("done", 4, {})


def test_stale_tokens_are_retired_before_sending(pusher, fcm, session):
    fresh = add_devices(session, 2, refreshed_at=parse_now("2026-10-10T09:00:00+01:00"))  # 58 days
    stale = add_devices(session, 2, refreshed_at=parse_now("2026-10-06T09:00:00+01:00"))  # 62 days
    lines = pusher().tick(MONDAY_0901)
    assert "retired 2 push token(s) not refreshed for 60 days" in lines
    assert set(fcm.delivered()) == {d.token for d in fresh}
    assert session.scalar(select(func.count()).select_from(PushToken)) == 2
    assert not {d.token for d in stale} & set(session.scalars(select(PushToken.token)))


def test_a_stopped_tick_leaves_the_rest_for_the_next_and_a_closed_week_sends_nothing(pusher, fcm, session):
    devices = add_devices(session, 1200)
    push = pusher()
    stops = iter([False, True])
    push.tick(MONDAY_0901, should_stop=lambda: next(stops, True))
    weekly = next(c for c in campaigns(session) if c.organisation_id == _rijk(session))
    assert [b.state for b in batches_of(session, weekly.id)] == ["done", "pending", "pending"]
    first = dict(fcm.delivered())
    assert len(first) == 400 and set(first.values()) == {1}
    # The week ends before anyone ticks again: the rest is closed, not sent.
    lines = push.tick("2026-12-14T09:01:00+01:00")
    assert f"campaign {weekly.id} (weekly, rijk) closed: its week is over" in lines
    assert [b.state for b in batches_of(session, weekly.id)] == ["done", "expired", "expired"]
    w50 = {t for t, data in sent_to(fcm).items() if any(d["week"] == "2026-W50" for d in data)}
    assert w50 == set(first)
    assert {d.token for d in devices} == set(sent_to(fcm))  # week 51 reached everyone
    summary = campaign_service.list_campaigns(session, parse_now("2026-12-14T09:01:00+01:00"), kind="weekly")
    assert {(s.week, s.organisation): s.state for s in summary}[("2026-W50", "rijk")] == "expired"


def test_a_resumed_campaign_sends_only_the_unfinished_batches(pusher, fcm, session):
    devices = add_devices(session, 1100)
    push = pusher()
    stops = iter([False, False, True])
    push.tick(MONDAY_0901, should_stop=lambda: next(stops, True))
    assert sum(fcm.delivered().values()) == 733
    lines = push.tick("2026-12-07T09:02:00+01:00")
    assert [line.split(":")[0] for line in lines if "batch" in line] == ["campaign 1 batch 3", "campaign 2 batch 1"]
    assert fcm.delivered() == {d.token: 1 for d in devices}


def _rijk(session):
    return session.scalar(select(Organisation.id).where(Organisation.slug == "rijk"))


def test_the_log_transport_records_every_device_but_never_a_reminders_recipients(sessions, session, caplog):
    caplog.set_level(logging.INFO, logger="kompas.push")
    dilemma = schedule(session, bank(session)[0], "2026-W50")
    devices = add_devices(session, 6, reminders=True) + add_devices(session, 2, organisation="douane", locale="en")
    add_devices(session, 2, weekly=False)
    add_devices(session, 1, with_token=False)
    answer(sessions, devices[0], dilemma.id, "A", MONDAY_0901)  # answering changes no reminder
    push = Pusher(sessions)
    push.tick(MONDAY_0901)
    push.tick(THURSDAY_1201)
    logged = session.scalars(select(LoggedMessage).order_by(LoggedMessage.id)).all()
    weekly = [m for m in logged if m.kind == "weekly"]
    assert sorted(m.target for m in weekly) == sorted(fingerprint(d.token) for d in devices)
    assert {m.data["dilemma_id"] for m in weekly} == {str(dilemma.id)}
    assert {(m.locale, m.title) for m in weekly} == {("nl", "Het dilemma van deze week"), ("en", "This week's dilemma")}
    reminders = [m for m in logged if m.kind == "reminder"]
    assert len(reminders) == 6 and {m.target for m in reminders} == {None}
    assert not any(d.token in (m.target or "") for m in logged for d in devices)
    lines = [record.getMessage() for record in caplog.records]
    weekly_lines = [line for line in lines if "weekly (" in line]
    reminder_lines = [line for line in lines if "reminder (" in line]
    assert len(weekly_lines) == 8 and len(reminder_lines) == 6
    assert all(fingerprint(d.token) in "".join(weekly_lines) for d in devices)
    assert not any(fingerprint(d.token) in line for line in reminder_lines for d in devices)
    assert not any(d.token in line for line in lines for d in devices)


def test_adhoc_campaigns_reach_the_organisation_and_those_below_it(pusher, fcm, session):
    dilemma = schedule(session, bank(session)[0], "2026-W50")
    rijk = add_devices(session, 3)
    customs = add_devices(session, 2, organisation="douane")
    add_devices(session, 1, weekly=False)
    now = parse_now("2026-12-08T14:00:00+01:00")
    organisation = session.scalar(select(Organisation).where(Organisation.slug == "rijk"))
    push = pusher()
    created = campaign_service.create_adhoc(
        session, now, push.settings, organisation, "Nieuwe gedragscode", "Lees wat er verandert.", dilemma.id, "office"
    )
    assert [c.organisation_id for c in created] == sorted(
        session.scalars(select(Organisation.id).where(Organisation.slug.in_(["rijk", "douane"])))
    )
    summaries = campaign_service.list_campaigns(session, now, kind="adhoc")
    assert {s.state for s in summaries} == {"due"} and {s.created_by for s in summaries} == {"office"}
    push.tick("2026-12-08T14:00:30+01:00")
    adhoc = sent_to(fcm, "adhoc")
    assert set(adhoc) == {d.token for d in rijk + customs}
    assert next(iter(adhoc.values())) == [{"type": "adhoc", "week": "2026-W50", "dilemma_id": str(dilemma.id)}]
    message = next(m for m in fcm.messages() if m["data"]["type"] == "adhoc")
    assert message["notification"] == {"title": "Nieuwe gedragscode", "body": "Lees wat er verandert."}
    summaries = campaign_service.list_campaigns(session, now, kind="adhoc")
    assert {(s.organisation, s.state, s.sent) for s in summaries} == {("rijk", "done", 3), ("douane", "done", 2)}
    # A second ad hoc push is a campaign of its own.
    campaign_service.create_adhoc(session, now, push.settings, organisation, "Nog eens", "Tekst")
    assert len(campaigns(session, "adhoc")) == 4


def test_adhoc_input_is_checked(session):
    organisation = session.scalar(select(Organisation).where(Organisation.slug == "douane"))
    now = parse_now("2026-12-08T14:00:00+01:00")
    with pytest.raises(Invalid) as error:
        campaign_service.create_adhoc(session, now, settings(), organisation, " ", "x" * 241)
    assert set(error.value.errors) == {"title", "body"}
    with pytest.raises(UnknownReference):
        campaign_service.create_adhoc(session, now, settings(), organisation, "Titel", "Tekst", dilemma_id=999999)
    rijk_only = schedule(session, bank(session)[0], "2026-W50")
    customs_only = schedule(session, bank(session, "douane")[0], "2026-W50", organisation="douane")
    rijk = session.scalar(select(Organisation).where(Organisation.slug == "rijk"))
    with pytest.raises(NotFound):
        campaign_service.create_adhoc(session, now, settings(), rijk, "Titel", "Tekst", dilemma_id=customs_only.id)
    assert campaign_service.create_adhoc(session, now, settings(), organisation, "Titel", "Tekst", rijk_only.id)
    assert session.scalar(select(func.count()).select_from(Campaign)) == 1


def test_topic_strategy_sends_one_message_per_locale_and_follows_settings(pusher, fcm, session, sessions):
    customs_nl = add_devices(session, 3, organisation="douane")
    customs_en = add_devices(session, 2, organisation="douane", locale="en")
    quiet = add_devices(session, 1, organisation="douane", weekly=False, reminders=True)
    rijk = add_devices(session, 2)
    push = pusher(topic_organisations=frozenset({"douane"}))
    lines = push.tick(MONDAY_0901)
    assert "topics: 5 subscribed, 0 unsubscribed, 0 token(s) retired, 0 failed" in lines
    assert fcm.subscribers("kompas-douane-nl") == {d.token for d in customs_nl}
    assert fcm.subscribers("kompas-douane-en") == {d.token for d in customs_en}
    topics_sent = {m["topic"]: m for m in fcm.topic_messages()}
    assert set(topics_sent) == {"kompas-douane-nl", "kompas-douane-en"}
    assert topics_sent["kompas-douane-en"]["notification"]["title"] == "This week's dilemma"
    assert topics_sent["kompas-douane-nl"]["data"]["type"] == "weekly"
    assert fcm.delivered() == {d.token: 1 for d in customs_nl + customs_en + rijk}
    assert quiet[0].token not in fcm.attempts()
    customs = next(
        s for s in campaign_service.list_campaigns(session, parse_now(MONDAY_0901)) if s.organisation == "douane"
    )
    assert (customs.strategy, customs.batches, customs.targeted, customs.sent) == ("topic", 2, 5, 5)
    # Settings change: a locale, an opt-out, an erasure. The next tick follows.
    with sessions() as own:
        installations.update(own, own.get(Installation, customs_nl[0].installation_id), locale="en")
        installations.update(own, own.get(Installation, customs_nl[1].installation_id), weekly=False)
        installations.erase(own, own.get(Installation, customs_en[0].installation_id))
    assert (
        session.scalar(select(func.count()).select_from(TopicMember).where(TopicMember.installation_id.is_(None))) == 1
    )
    lines = push.tick("2026-12-07T09:05:00+01:00")
    assert "topics: 1 subscribed, 3 unsubscribed, 0 token(s) retired, 0 failed" in lines
    assert fcm.subscribers("kompas-douane-nl") == {customs_nl[2].token}
    assert fcm.subscribers("kompas-douane-en") == {customs_nl[0].token, customs_en[1].token}
    assert session.scalar(select(func.count()).select_from(TopicMember)) == 3
    # The erased installation's token is gone from Kompas once unsubscribed.
    assert customs_en[0].token not in set(session.scalars(select(TopicMember.token)))
    # Reminders never go to a topic: they go to the devices that asked for them.
    push.tick(THURSDAY_1201)
    assert set(sent_to(fcm, "reminder")) == {quiet[0].token}
    assert all(m["data"]["type"] == "weekly" for m in fcm.topic_messages())
    assert [c.strategy for c in campaigns(session, "reminder") if c.organisation_id != _rijk(session)] == ["tokens"]


def test_three_ticks_at_once_send_each_batch_once(database_url, session, fcm):
    """Threads with a connection each, as three servers would tick."""
    import threading

    devices = add_devices(session, 1600)
    engines = [make_engine(database_url) for _ in range(3)]
    pushers = [Pusher(make_sessionmaker(engine), fcm) for engine in engines]
    barrier = threading.Barrier(3)
    errors = []

    def run(pusher):
        barrier.wait()
        try:
            pusher.tick(MONDAY_0901)
        except Exception as error:  # reported below
            errors.append(error)

    threads = [threading.Thread(target=run, args=(p,)) for p in pushers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    for pusher, engine in zip(pushers, engines, strict=True):
        pusher.close()
        engine.dispose()
    assert not errors
    assert fcm.delivered() == {d.token: 1 for d in devices}
    assert Counter(c.kind for c in campaigns(session)) == {"weekly": 2}
    weekly = next(c for c in campaigns(session) if c.organisation_id == _rijk(session))
    assert [b.state for b in batches_of(session, weekly.id)] == ["done"] * 4
    assert sum(b.sent for b in batches_of(session, weekly.id)) == 1600


def test_mondays_push_names_last_weeks_dilemma_whose_figures_are_in(pusher, fcm, session):
    last_week = schedule(session, bank(session)[1], "2026-W49")
    this_week = schedule(session, bank(session)[0], "2026-W50")
    devices = add_devices(session, 3)
    pusher().tick(MONDAY_0901)
    received = sent_to(fcm)
    assert all(
        received[d.token]
        == [{"type": "weekly", "week": "2026-W50", "dilemma_id": str(this_week.id), "results_of": str(last_week.id)}]
        for d in devices
    )
