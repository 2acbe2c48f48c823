"""GPU dispatch: which model queue each GPU worker consumes, one module a job.

    policy       the affinity rule, ``choose_model`` (pure: no I/O; ``bench/fleet`` runs it too)
    records      the fleet in Redis: each machine's record (its claim) and the queues' backlogs
    requeue      a dead machine's delivered job put back on its queue at once
    controller   ``FleetController``: the thread that applies the policy on one GPU worker
    pauses       paused models honoured: left out of decisions, their consumers cancelled
    strategies   the DISPATCH modes (affinity, and the baselines all and shared) behind one protocol
    signals      Celery wiring: a GPU worker's strategy started when ready, stopped at shutdown

Queue names and Redis keys live in ``scheduler/core/queues.py``; the DISPATCH_* knobs in
``scheduler/core/settings.py: DispatchSettings`` (``Settings.dispatch``); the SQL the dispatch reads in
``scheduler/db/workers.py``. Nothing is imported here, so the pure policy loads without Redis
or Celery.
"""
