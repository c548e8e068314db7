"""`report` is linear in events (issue 16 item 8): looking an object's events up does not scan the whole
timeline once per object (50,000 events took 186 s). Counted, not timed: how often the full list is walked."""

from __future__ import annotations

import pytest

from e2e.observe.timeline import Event, Timeline
from e2e.report.summary import durations

pytestmark = pytest.mark.unit


class CountingList(list):
    walks = 0

    def __iter__(self):
        CountingList.walks += 1
        return super().__iter__()


def test_durations_walk_the_timeline_a_constant_number_of_times_whatever_the_number_of_objects():
    events = []
    for i in range(2000):
        events += [Event(i, "pods", "Pod", "ns", f"pod-{i}", "created"),
                   Event(i + 1, "pods", "Pod", "ns", f"pod-{i}", "condition Ready=True"),
                   Event(i, "jobs", "Job", "ns", f"job-{i}", "started"),
                   Event(i + 2, "jobs", "Job", "ns", f"job-{i}", "condition Complete=True")]
    timeline = Timeline()
    timeline.add(events)
    timeline.events = CountingList(timeline.events)
    CountingList.walks = 0
    took = durations(timeline)
    assert took["Job job-1999"] == 2.0
    assert CountingList.walks < 20, f"{CountingList.walks} walks over the events for 4,000 objects"
