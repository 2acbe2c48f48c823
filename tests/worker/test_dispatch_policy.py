"""The GPU affinity decision: which model queue a machine consumes next."""

from __future__ import annotations

from worker.dispatch.policy import Claimant, FleetState, MachineState, Reason, choose_model
from worker.dispatch.records import claimant_of


def machine(served: set[str], loaded: str | None = None, current: str | None = None) -> MachineState:
    return MachineState(host="gpu-a", served=frozenset(served), loaded=loaded, current=current)


def test_a_machine_never_takes_a_model_its_llama_swap_does_not_serve() -> None:
    fleet = FleetState(backlog={"qwen": 50, "gemma": 0})
    assert choose_model(machine({"gemma", "gpt-oss"}), fleet).model is None
    assert choose_model(machine({"gemma", "gpt-oss"}), fleet).reason is Reason.IDLE


def test_a_machine_keeps_its_model_while_its_queue_has_jobs() -> None:
    fleet = FleetState(backlog={"a": 1, "b": 500}, servers={"a": 1, "b": 1})
    decision = choose_model(machine({"a", "b"}, loaded="a", current="a"), fleet)
    assert (decision.model, decision.reason) == ("a", Reason.CONTINUE)


def test_an_already_loaded_model_is_taken_before_a_bigger_one_that_needs_a_load() -> None:
    fleet = FleetState(backlog={"a": 2, "b": 40})
    decision = choose_model(machine({"a", "b"}, loaded="a"), fleet)
    assert (decision.model, decision.reason) == ("a", Reason.LOADED)


def test_a_model_only_this_machine_serves_goes_before_one_others_can_take() -> None:
    fleet = FleetState(backlog={"shared": 30, "mine": 6}, others_job_s={"shared": 60.0})
    assert choose_model(machine({"shared", "mine"}), fleet).model == "mine"


def test_among_equally_reachable_models_the_largest_remaining_work_goes_first() -> None:
    fleet = FleetState(backlog={"a": 6, "b": 6}, job_s={"a": 10.0, "b": 90.0}, servers={"a": 1, "b": 1})
    assert choose_model(machine({"a", "b"}), fleet).model == "b"


def test_a_model_claimed_by_another_machine_is_left_to_it_when_unclaimed_work_exists() -> None:
    fleet = FleetState(backlog={"a": 60, "b": 2}, claims={"a": 1})
    decision = choose_model(machine({"a", "b"}), fleet)
    assert (decision.model, decision.reason) == ("b", Reason.UNCLAIMED)


def test_an_idle_machine_helps_a_long_claimed_queue() -> None:
    fleet = FleetState(backlog={"a": 30}, claims={"a": 1}, job_s={"a": 60.0}, load_s={"a": 30.0})
    decision = choose_model(machine({"a"}), fleet)
    assert (decision.model, decision.reason) == ("a", Reason.HELP)


def test_an_idle_machine_does_not_pay_a_load_to_help_with_a_short_queue() -> None:
    fleet = FleetState(backlog={"a": 1}, claims={"a": 1}, job_s={"a": 60.0}, load_s={"a": 30.0})
    assert choose_model(machine({"a"}), fleet).reason is Reason.IDLE


def test_helping_without_a_load_is_worth_it_sooner() -> None:
    fleet = FleetState(backlog={"a": 2}, claims={"a": 1}, job_s={"a": 40.0}, load_s={"a": 50.0})
    assert choose_model(machine({"a"}), fleet).reason is Reason.IDLE
    assert choose_model(machine({"a"}, loaded="a"), fleet).reason is Reason.HELP


def test_help_goes_where_taking_one_job_ends_a_queue_soonest() -> None:
    fleet = FleetState(
        backlog={"a": 10, "b": 40}, claims={"a": 1, "b": 2}, job_s={"a": 60.0, "b": 60.0}, load_s={}
    )
    # a: one machine, 600 s left, one job taken saves 60 s; b: two machines, 1200 s each, saves 30 s.
    assert choose_model(machine({"a", "b"}), fleet).model == "a"


def test_a_slow_machine_leaves_a_shared_queues_last_job_to_a_faster_one() -> None:
    slow = machine({"a"}, loaded="a", current="a")
    fleet = FleetState(backlog={"a": 1}, claims={"a": 1}, job_s={"a": 90.0}, others_job_s={"a": 30.0})
    assert choose_model(slow, fleet).reason is Reason.IDLE
    fleet = FleetState(backlog={"a": 4}, claims={"a": 1}, job_s={"a": 90.0}, others_job_s={"a": 30.0})
    assert choose_model(slow, fleet).reason is Reason.CONTINUE


def test_two_machines_deciding_in_turn_split_unclaimed_models_instead_of_piling_on() -> None:
    backlog = {"a": 20, "b": 20}
    first = choose_model(machine({"a", "b"}), FleetState(backlog=backlog))
    second = choose_model(machine({"a", "b"}), FleetState(backlog=backlog, claims={first.model or "": 1}))
    assert {first.model, second.model} == {"a", "b"}


def test_an_idle_machine_takes_a_queues_last_job_when_its_fast_claimant_is_busy_for_long() -> None:
    # The fast claimant would run the job in 30 s, but only after its current job's 100 s more:
    # this machine (60 s a job, model loaded) ends it at 60 s instead of 130 s. Counting the
    # claimant as free now (the rule before claimants' running jobs were counted) left it idle.
    me = machine({"a"}, loaded="a")
    busy = FleetState(backlog={"a": 1}, claims={"a": 1}, job_s={"a": 60.0}, others_job_s={"a": 30.0},
                      claimants={"a": [Claimant(free_in_s=100.0, job_s=30.0)]})  # fmt: skip
    decision = choose_model(me, busy)
    assert (decision.model, decision.reason) == ("a", Reason.HELP)
    free_soon = FleetState(backlog={"a": 1}, claims={"a": 1}, job_s={"a": 60.0}, others_job_s={"a": 30.0},
                           claimants={"a": [Claimant(free_in_s=10.0, job_s=30.0)]})  # fmt: skip
    assert choose_model(me, free_soon).reason is Reason.IDLE


def test_a_slow_machine_keeps_a_shared_queues_last_job_when_the_fast_one_is_busy_for_long() -> None:
    slow = machine({"a"}, loaded="a", current="a")
    fleet = FleetState(backlog={"a": 1}, claims={"a": 1}, job_s={"a": 90.0}, others_job_s={"a": 30.0},
                       claimants={"a": [Claimant(free_in_s=120.0, job_s=30.0)]})  # fmt: skip
    assert choose_model(slow, fleet).reason is Reason.CONTINUE


def test_help_counts_every_claimant_each_next_job_going_to_whoever_ends_it_first() -> None:
    # Two 30 s jobs, claimants free in 0 s and 50 s: the first runs both (the second would end one
    # only at 80 s), ending the queue at 60 s; a 30 s load + 40 s job here would end it at 70 s.
    me = machine({"a"})
    claimants = {"a": [Claimant(0.0, 30.0), Claimant(50.0, 30.0)]}
    fleet = FleetState(backlog={"a": 2}, claims={"a": 2}, job_s={"a": 40.0}, load_s={"a": 30.0},
                       claimants=claimants)  # fmt: skip
    assert choose_model(me, fleet).reason is Reason.IDLE
    fleet = FleetState(backlog={"a": 2}, claims={"a": 2}, job_s={"a": 20.0}, load_s={"a": 30.0},
                       claimants=claimants)  # fmt: skip
    assert choose_model(me, fleet).reason is Reason.HELP  # 50 s: the queue ends at 50 s, not 60 s


def test_a_claimants_free_time_is_its_expected_job_length_less_what_its_running_job_has_done() -> None:
    record = {"node": "gpu@gpu-b", "decode_tps": 20.0, "current": "a"}
    assert claimant_of(record, 600.0, {"gpu@gpu-b": 10.0}) == Claimant(free_in_s=20.0, job_s=30.0)
    assert claimant_of(record, 600.0, {"gpu@gpu-b": 45.0}) == Claimant(free_in_s=0.0, job_s=30.0)
    assert claimant_of(record, 600.0, {"gpu@gpu-c": 10.0}) == Claimant(free_in_s=0.0, job_s=30.0)
