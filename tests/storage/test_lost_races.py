"""A unit of work PostgreSQL ends because another one ran at the same time (a deadlock)
comes out as a StorageError in words, marked to be run once more (services' @retried)."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import text

from ketamon.domain.errors import StorageError
from ketamon.storage.database import RACE_REASON

pytestmark = pytest.mark.parametrize("backend", ["postgresql"], indirect=True)


def test_a_real_deadlock_is_a_retryable_storage_error_in_words(clinic) -> None:
    first, second = (c.id for c in clinic.chairs.all()[:2])
    locked = threading.Barrier(2)
    outcomes: list[object] = []

    def lock_both(one: int, other: int) -> None:
        try:
            with clinic.db.transaction(write=False) as tx:
                tx.execute(text("SELECT id FROM chair WHERE id = :id FOR UPDATE"), {"id": one})
                locked.wait()  # each holds one chair; each now waits for the other's
                tx.execute(text("SELECT id FROM chair WHERE id = :id FOR UPDATE"), {"id": other})
            outcomes.append("done")
        except StorageError as refused:
            outcomes.append(refused)

    threads = [
        threading.Thread(target=lock_both, args=(first, second)),
        threading.Thread(target=lock_both, args=(second, first)),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    [refused] = [o for o in outcomes if isinstance(o, StorageError)]
    assert outcomes.count("done") == 1
    assert refused.retry and refused.reason == RACE_REASON
    assert "deadlock" not in str(refused)


def test_other_faults_are_not_retried(clinic) -> None:
    with pytest.raises(StorageError) as refused, clinic.db.transaction(write=False) as tx:
        tx.execute(text("SELECT * FROM no_such_table"))
    assert not refused.value.retry
