"""The trusted-model builder and the collector pause used on hot paths."""

from __future__ import annotations

import gc
import threading
from datetime import UTC, datetime

from pydantic import BaseModel, ConfigDict

from warroom.domain.models import Commitment, CommitmentState
from warroom.domain.trusted import builder, replace
from warroom.gcpause import collector_paused

AT = datetime(2026, 11, 24, 10, tzinfo=UTC)
VALUES = {"id": "C1", "text": "t", "owner": "o", "due_at": AT, "state": CommitmentState.OPEN,
          "made_at": AT, "closed_at": None, "source": "manual", "history": []}


def test_builder_equals_model_construct() -> None:
    fast = builder(Commitment, VALUES)(dict(VALUES))
    assert fast == Commitment.model_construct(**VALUES)
    assert fast.model_dump_json() == Commitment(**VALUES).model_dump_json()
    changed = replace(fast, state=CommitmentState.MET)
    assert changed.state is CommitmentState.MET and fast.state is CommitmentState.OPEN


def test_builder_falls_back_when_the_fast_path_differs() -> None:
    class WithPrivate(BaseModel):
        model_config = ConfigDict(extra="allow")
        x: int

        def model_post_init(self, context: object) -> None:
            self.__pydantic_extra__ = {"touched": True}

    build = builder(WithPrivate, {"x": 1})
    assert build({"x": 2}) == WithPrivate.model_construct(x=2)


def test_collector_pause_nests_across_threads_and_restores() -> None:
    assert gc.isenabled()
    inside = threading.Event()
    release = threading.Event()

    def other() -> None:
        with collector_paused(10_000):
            inside.set()
            release.wait(5)

    thread = threading.Thread(target=other)
    with collector_paused(10_000):
        thread.start()
        assert inside.wait(5)
        assert not gc.isenabled()
    assert not gc.isenabled()  # the other thread still holds its pause
    release.set()
    thread.join(5)
    assert gc.isenabled()
    with collector_paused(10):  # small batches leave the collector alone
        assert gc.isenabled()
