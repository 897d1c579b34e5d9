import threading
import time

import pytest

from source_notion.transport.work_pool import GroupsDone, WorkPool


def tree_task(task, group):
    """Each group is (name, fan-out, depth): a tree of tasks, each emitting one record."""
    name, fan_out, depth = group

    def node(task, path, level):
        task.emit(f"{name}/{path}")
        if level < depth:
            for i in range(fan_out):
                task.spawn(node, f"{path}.{i}", level + 1)

    node(task, "0", 1)


def test_every_record_of_every_spawned_task_comes_out_and_groups_complete_in_order():
    groups = [(f"g{i}", 2, 3) for i in range(10)]
    events = list(WorkPool(4, groups_in_flight=3).run(groups, tree_task))
    records = [e for e in events if not isinstance(e, GroupsDone)]
    done = [e for e in events if isinstance(e, GroupsDone)]
    assert len(records) == 10 * 7 and len(set(records)) == 70
    assert sum(d.count for d in done) == 10
    reported = [d.last[0] for d in done]
    assert reported == sorted(reported, key=lambda name: int(name[1:]))
    # a group is reported complete only after all its records came out
    position = {e: i for i, e in enumerate(events)}
    for d in done:
        assert all(position[r] < position[d] for r in records if r.startswith(d.last[0] + "/"))


def test_tasks_run_concurrently():
    barrier = threading.Barrier(4, timeout=5)

    def start(task, group):
        barrier.wait()  # only returns when 4 tasks are in flight at once
        task.emit(group)

    assert sorted(WorkPool(4).run(range(4), start), key=str)[:4] == [0, 1, 2, 3]


def test_a_failing_task_stops_the_run_and_its_error_is_raised_to_the_reader():
    def start(task, group):
        if group == 3:
            raise RuntimeError("boom")
        task.emit(group)

    with pytest.raises(RuntimeError, match="boom"):
        list(WorkPool(2).run(range(10), start))


def test_records_wait_in_a_bounded_queue_when_the_reader_is_slow():
    produced = []

    def start(task, group):
        for i in range(50):
            produced.append(i)
            task.emit(i)

    run = WorkPool(1, output_capacity=5).run([0], start)
    next(run)
    time.sleep(0.3)  # let the worker run ahead as far as it can
    assert len(produced) <= 5 + 2
    assert len([e for e in run if not isinstance(e, GroupsDone)]) == 49


def test_a_reader_that_stops_early_stops_the_workers():
    started = []

    def start(task, group):
        started.append(group)
        task.emit(group)

    run = WorkPool(2, output_capacity=1, groups_in_flight=2).run(range(1000), start)
    next(run)
    run.close()
    time.sleep(0.3)
    assert len(started) < 20


def test_an_empty_run_ends_at_once():
    assert list(WorkPool(3).run([], tree_task)) == []
