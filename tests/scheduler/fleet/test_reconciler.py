"""The reconciler against a real Postgres and Redis: what it sends, restores or leaves alone, and
that only one reconciler of the fleet acts (no worker here: messages are read back from Redis)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from typing import Any

import pytest
import redis
from celery import Celery

from scheduler.core.broker import scan
from scheduler.core.messages import producer_app, publish_generate, publish_grade
from scheduler.core.queues import GRADING_QUEUE, generation_queue
from scheduler.core.settings import Settings
from scheduler.db import connect
from scheduler.db.recovery import database_uptime_s
from scheduler.fleet.reconcile import Reconciler
from testkit.workers import insert_jobs, query, wait_for

MODEL = "m-alpha"
PARAMS = {"temperature": 1.0, "context": 4096, "max_tokens": 100, "timeout_s": 60, "options": {}}


@pytest.fixture
def settings(settings: Settings) -> Settings:
    """A short lease, judged once the test's database has been up longer than one (the reconciler
    does not judge leases a database restart may have interrupted: `database_uptime_s`)."""
    short = replace(settings, job_lease_s=2)

    def up_long_enough() -> bool:
        with connect(short) as conn:
            return database_uptime_s(conn) > short.job_lease_s + 0.5

    wait_for(up_long_enough, 30, lambda: "the test database has not been up for a lease")
    return short


@pytest.fixture
def app(settings: Settings) -> Iterator[Celery]:
    celery_app = producer_app(settings)
    yield celery_app
    celery_app.close()


def set_state(settings: Settings, job_id: int, state: str, lease_s: float | None = None) -> None:
    with connect(settings) as conn:
        conn.execute(
            "UPDATE jobs SET state = %s, lease_owner = CASE WHEN %s::float8 IS NULL THEN NULL ELSE 'cpu@gone#1' END,"
            " lease_expires_at = now() + make_interval(secs => %s) WHERE id = %s",
            (state, lease_s, lease_s, job_id),
        )
        conn.commit()


def messages(settings: Settings) -> dict[str, int]:
    client = redis.Redis.from_url(settings.redis_url)
    try:
        return {q: int(client.llen(q)) for q in (generation_queue(MODEL), GRADING_QUEUE)}
    finally:
        client.close()


def deliver(app: Celery, queue: str) -> Any:
    """Take one message as a worker would, never acknowledging it (a worker that dies)."""
    conn = app.connection_for_write()
    conn.default_channel.do_restore = False  # a killed worker puts nothing back when this test process exits
    message = conn.default_channel.basic_get(queue, no_ack=False)
    assert message is not None
    return conn


def test_a_lost_message_is_sent_again_at_the_second_pass_only_and_a_waiting_one_is_left_alone(
    settings: Settings,
) -> None:
    lost, waiting = insert_jobs(settings.database_url, MODEL, ["v1"], [1, 2], PARAMS)
    publish_generate(settings, [(waiting, MODEL)])
    reconciler = Reconciler(settings, "cpu@one")
    try:
        first = reconciler.step()
        assert first is not None and first["watched"] == 1 and first["sent"] == 0
        assert messages(settings)[generation_queue(MODEL)] == 1
        second = reconciler.step()
        assert second is not None and second["sent"] == 1
        assert messages(settings)[generation_queue(MODEL)] == 2
        third = reconciler.step()
        assert third is not None and third["sent"] == 0 and third["watched"] == 0
    finally:
        reconciler.close()
    sender = producer_app(settings)
    view = scan(sender, [MODEL])
    sender.close()
    assert view.has_waiting("generate", lost) and view.has_waiting("generate", waiting)


def test_a_generated_job_whose_grade_message_was_lost_gets_one(settings: Settings) -> None:
    (job,) = insert_jobs(settings.database_url, MODEL, ["v1"], [1], PARAMS)
    set_state(settings, job, "generated")
    reconciler = Reconciler(settings, "cpu@one")
    try:
        reconciler.step()
        reconciler.step()
    finally:
        reconciler.close()
    assert messages(settings) == {generation_queue(MODEL): 0, GRADING_QUEUE: 1}


def test_a_dead_graders_delivered_message_goes_back_on_its_queue_once_its_lease_expired(
    settings: Settings, app: Celery
) -> None:
    live, dead = insert_jobs(settings.database_url, MODEL, ["v1"], [1, 2], PARAMS)
    publish_grade(settings, [live])
    held_live = deliver(app, GRADING_QUEUE)
    publish_grade(settings, [dead])
    held_dead = deliver(app, GRADING_QUEUE)
    set_state(settings, live, "grading", lease_s=60)
    set_state(settings, dead, "grading", lease_s=-1)  # expired: its worker stopped renewing
    reconciler = Reconciler(settings, "cpu@one")
    try:
        reconciler.step()
        second = reconciler.step()
        view = scan(app, [MODEL])
    finally:
        reconciler.close()
    assert second is not None and second["restored"] == 1 and second["sent"] == 0
    assert view.has_waiting("grade", dead), "the dead grader's message is not back on the queue"
    assert not view.has_waiting("grade", live) and view.delivered_for("grade", live), (
        "a live claim was disturbed"
    )
    held_live.release()
    held_dead.release()


def test_a_regrade_message_does_not_count_as_the_jobs_grade_message(settings: Settings) -> None:
    (job,) = insert_jobs(settings.database_url, MODEL, ["v1"], [1], PARAMS)
    set_state(settings, job, "generated")
    publish_grade(settings, [job], [{"generation_id": 1, "regrade": True, "grade_round": 1}])
    reconciler = Reconciler(settings, "cpu@one")
    try:
        reconciler.step()
        second = reconciler.step()
    finally:
        reconciler.close()
    assert second is not None and second["sent"] == 1


def test_one_reconciler_leads_and_another_takes_over_when_it_is_gone(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    ran: list[str] = []
    duties = [lambda s: ran.append(s.database_url)]
    first, second = Reconciler(settings, "gpu@a", duties), Reconciler(settings, "cpu@b", duties)
    try:
        assert first.step() is not None
        assert second.step() is None, "two reconcilers acted in the same fleet"
        first.close()  # its worker died: the lock goes with its connection (once its server process ends)
        wait_for(lambda: second.step() is not None, 10)
    finally:
        first.close()
        second.close()
    passes = query(settings.database_url, "SELECT leader FROM reconciler")
    assert passes == [{"leader": "cpu@b"}]
    assert ran[0] == ran[-1] == settings.database_url
