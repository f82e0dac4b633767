"""Task API over HTTP: submission ids and idempotency, validation, path escapes, task
lists with filters and paging, update, cancel, events, marker paging, endpoint-manager
views, pausing."""

from __future__ import annotations

import time
import typing as t
import uuid
from pathlib import Path

import pytest

from tests.globus_local.services.transfer.support import (
    MakeEndpoint,
    TransferUser,
    events,
    run_transfer,
    submit,
    transfer_doc,
    wait_task,
)
from tests.support.waiting import wait_until


@pytest.fixture
def pair(alice: TransferUser, make_endpoint: MakeEndpoint) -> tuple[str, Path, str, Path]:
    src_id, src = make_endpoint(alice, "source")
    dst_id, dst = make_endpoint(alice, "destination")
    (src / "a.txt").write_bytes(b"aaaa")
    (src / "b.txt").write_bytes(b"bb")
    return src_id, src, dst_id, dst


@pytest.fixture
def slow_mover(monkeypatch: pytest.MonkeyPatch) -> None:
    """Movers started from now on take 20 ms per file (the server runs in this process)."""
    monkeypatch.setenv("GLOBUS_LOCAL_TRANSFER_FILE_DELAY", "0.02")
    monkeypatch.setenv("GLOBUS_LOCAL_TRANSFER_THREADS", "1")


def _many(src: Path, n: int = 200) -> None:
    (src / "many").mkdir(exist_ok=True)
    for i in range(n):
        (src / "many" / f"{i:04d}.txt").write_bytes(b"x" * i)


# -- submission ---------------------------------------------------------------------------------
def test_submission_id_and_duplicate(alice: TransferUser, pair: t.Any) -> None:
    src_id, _, dst_id, dst = pair
    response = alice.get("submission_id")
    assert response.status_code == 200
    value = response.json()["value"]
    assert str(uuid.UUID(value)) == value
    assert alice.get("submission_id").json()["value"] != value

    doc = transfer_doc(
        src_id, dst_id, [{"source_path": "/a.txt", "destination_path": "/a.txt"}], label="dup"
    )
    doc["submission_id"] = value
    first = alice.post("transfer", json=doc)
    assert first.status_code == 202
    body = first.json()
    assert body["DATA_TYPE"] == "transfer_result" and body["code"] == "Accepted"
    assert body["submission_id"] == value and body["resource"] == "/v0.10/transfer"
    assert body["request_id"] and body["message"]
    assert body["task_link"]["href"] == f"/v0.10/task/{body['task_id']}?format=json"
    again = alice.post("transfer", json=doc)
    assert again.status_code == 202
    assert again.json()["code"] == "Duplicate"
    assert again.json()["task_id"] == body["task_id"]
    wait_task(alice, body["task_id"])
    listed = alice.get("task_list", params={"filter": "label:dup"}).json()
    assert listed["total"] == 1
    assert (dst / "a.txt").read_bytes() == b"aaaa"


def test_delete_submission_result(alice: TransferUser, pair: t.Any) -> None:
    src_id, src, _, _ = pair
    response = alice.post(
        "delete",
        json={
            "DATA_TYPE": "delete",
            "endpoint": src_id,
            "DATA": [{"DATA_TYPE": "delete_item", "path": "/b.txt"}],
        },
    )
    assert response.status_code == 202
    body = response.json()
    assert body["DATA_TYPE"] == "delete_result" and body["code"] == "Accepted"
    assert wait_task(alice, body["task_id"])["status"] == "SUCCEEDED"
    assert not (src / "b.txt").exists()


@pytest.mark.parametrize(
    ("change", "code"),
    [
        ({"DATA": []}, "ClientError.BadRequest.NoTransferItems"),
        ({"DATA": None}, "ClientError.BadRequest.NoTransferItems"),
        ({"sync_level": 7}, "ClientError.BadRequest"),
        ({"sync_level": "sometimes"}, "ClientError.BadRequest"),
        ({"recursive_symlinks": "follow"}, "ClientError.BadRequest"),
        ({"deadline": "tomorrow-ish"}, "ClientError.BadRequest"),
        ({"label": "x" * 500}, "ClientError.BadRequest"),
        ({"DATA_TYPE": "delete"}, "ClientError.BadRequest"),
        ({"verify_checksum": "perhaps"}, "ClientError.BadRequest"),
        ({"delete_destination_extra": True}, "ClientError.BadRequest"),
        ({"filter_rules": [{"method": "drop", "name": "*"}]}, "ClientError.BadRequest"),
    ],
)
def test_invalid_transfer_documents(
    alice: TransferUser, pair: t.Any, change: dict[str, t.Any], code: str
) -> None:
    src_id, _, dst_id, _ = pair
    doc = transfer_doc(src_id, dst_id, [{"source_path": "/a.txt", "destination_path": "/a"}])
    doc.update(change)
    response = alice.post("transfer", json=doc)
    assert response.status_code == 400, response.text
    assert response.json()["code"] == code
    assert response.json()["resource"] == "/v0.10/transfer"


def test_invalid_items_and_endpoints(alice: TransferUser, bob: TransferUser, pair: t.Any) -> None:
    src_id, _, dst_id, _ = pair
    bad_checksum = [{"source_path": "/a.txt", "destination_path": "/a", "checksum_algorithm": "X"}]
    assert (
        alice.post("transfer", json=transfer_doc(src_id, dst_id, bad_checksum)).status_code == 400
    )
    no_path = [{"source_path": "/a.txt"}]
    assert alice.post("transfer", json=transfer_doc(src_id, dst_id, no_path)).status_code == 400
    items = [{"source_path": "/a.txt", "destination_path": "/a"}]
    missing = alice.post("transfer", json=transfer_doc(str(uuid.uuid4()), dst_id, items))
    assert missing.status_code == 404 and missing.json()["code"] == "EndpointNotFound"
    foreign = bob.post("transfer", json=transfer_doc(src_id, dst_id, items))
    assert foreign.status_code == 403
    empty_delete = alice.post(
        "delete", json={"DATA_TYPE": "delete", "endpoint": src_id, "DATA": []}
    )
    assert empty_delete.status_code == 400
    unauthenticated = alice.post(
        "transfer", json=transfer_doc(src_id, dst_id, items), headers={"Authorization": "Bearer x"}
    )
    assert unauthenticated.status_code == 401
    assert unauthenticated.json()["code"] == "ClientError.AuthenticationFailed"


@pytest.mark.parametrize(
    "item",
    [
        {"source_path": "/../../../etc/passwd", "destination_path": "/stolen"},
        {"source_path": "/~/../../etc/hostname", "destination_path": "/stolen"},
        {"source_path": "/a.txt", "destination_path": "/../outside.txt"},
        {"source_path": "a/../../x", "destination_path": "/x", "recursive": True},
    ],
)
def test_path_escapes_are_refused(
    alice: TransferUser, pair: t.Any, item: dict[str, t.Any], tmp_path: Path
) -> None:
    src_id, _, dst_id, dst = pair
    response = alice.post("transfer", json=transfer_doc(src_id, dst_id, [item]))
    assert response.status_code == 403, response.text
    assert "outside" in response.json()["message"]
    assert alice.get("task_list").json()["total"] == 0
    assert not (dst / "stolen").exists()
    assert not (dst.parent / "outside.txt").exists()


def test_delete_path_escape_refused(alice: TransferUser, pair: t.Any) -> None:
    src_id, src, _, _ = pair
    for path in ("/../" + src.name, "/..", "/"):
        response = alice.post(
            "delete",
            json={"DATA_TYPE": "delete", "endpoint": src_id, "DATA": [{"path": path}]},
        )
        assert response.status_code == 403, response.text
    assert src.exists() and (src / "a.txt").exists()


# -- reading tasks ------------------------------------------------------------------------------
def test_get_task_is_private(alice: TransferUser, bob: TransferUser, pair: t.Any) -> None:
    src_id, _, dst_id, _ = pair
    doc = run_transfer(alice, src_id, dst_id, [{"source_path": "/a.txt", "destination_path": "/x"}])
    assert doc["owner_id"] == alice.id and doc["username"] == alice.username
    assert doc["source_endpoint_display_name"] == "source"
    assert doc["destination_endpoint_display_name"] == "destination"
    for path in ("", "/event_list", "/successful_transfers", "/pause_info"):
        response = bob.get(f"task/{doc['task_id']}{path}")
        assert response.status_code == 404
        assert response.json()["code"] == "TaskNotFound"
    assert alice.get(f"task/{uuid.uuid4()}").status_code == 404


def test_task_list_filters_order_and_paging(alice: TransferUser, pair: t.Any) -> None:
    src_id, src, dst_id, _ = pair
    ids = {}
    for label in ("alpha one", "Alpha two", "beta"):
        ids[label] = run_transfer(
            alice,
            src_id,
            dst_id,
            [{"source_path": "/a.txt", "destination_path": f"/{label}"}],
            label=label,
        )["task_id"]
    failed = run_transfer(
        alice, src_id, dst_id, [{"source_path": "/nope", "destination_path": "/n"}], label="bad"
    )
    deleted = wait_task(
        alice,
        submit(
            alice,
            {"DATA_TYPE": "delete", "endpoint": dst_id, "DATA": [{"path": "/beta"}], "label": "d"},
            "delete",
        ),
    )

    def listing(**params: t.Any) -> dict[str, t.Any]:
        response = alice.get("task_list", params=params)
        assert response.status_code == 200, response.text
        return t.cast(dict[str, t.Any], response.json())

    everything = listing(limit=100)
    assert everything["DATA_TYPE"] == "task_list" and everything["total"] == 5
    assert everything["length"] == 5 and everything["limit"] == 100 and everything["offset"] == 0
    times = [d["request_time"] for d in everything["DATA"]]
    assert times == sorted(times, reverse=True)  # newest first by default

    assert listing(filter="type:DELETE")["DATA"][0]["task_id"] == deleted["task_id"]
    assert listing(filter_type="DELETE")["total"] == 1
    assert {d["task_id"] for d in listing(filter="status:FAILED")["DATA"]} == {failed["task_id"]}
    assert listing(filter="status:SUCCEEDED,FAILED")["total"] == 5
    assert listing(filter="label:~alpha*")["total"] == 2
    assert listing(filter="label:!~alpha*")["total"] == 3
    assert listing(filter="label:=beta")["DATA"][0]["task_id"] == ids["beta"]
    assert listing(filter=f"task_id:{ids['beta']},{failed['task_id']}")["total"] == 2
    assert listing(filter_task_id=ids["beta"])["total"] == 1
    assert listing(filter="type:TRANSFER/status:SUCCEEDED")["total"] == 3
    assert listing(filter="completion_time:2000-01-01,")["total"] == 5
    assert listing(filter="completion_time:,2000-01-01")["total"] == 0
    assert listing(filter_completion_time="2000-01-01T00:00:00,2999-01-01T00:00:00")["total"] == 5
    assert listing(filter="request_time:2999-01-01,")["total"] == 0

    ordered = listing(orderby="label ASC", limit=100)["DATA"]
    assert [d["label"] for d in ordered] == sorted(d["label"] for d in ordered)

    page1 = listing(limit=2, offset=0)
    page3 = listing(limit=2, offset=4)
    assert page1["total"] == page3["total"] == 5
    assert page1["length"] == 2 and page3["length"] == 1
    seen = [d["task_id"] for o in (0, 2, 4) for d in listing(limit=2, offset=o)["DATA"]]
    assert len(set(seen)) == 5

    narrow = listing(fields="task_id,status", limit=1)["DATA"][0]
    assert set(narrow) == {"DATA_TYPE", "task_id", "status"}
    assert alice.get("task_list", params={"filter": "bogus:1"}).status_code == 400
    assert alice.get("task_list", params={"orderby": "size SIDEWAYS"}).status_code == 400
    assert alice.get("task_list", params={"limit": 900, "offset": 200}).status_code == 400


def test_update_task(alice: TransferUser, pair: t.Any, slow_mover: None) -> None:
    src_id, src, dst_id, _ = pair
    _many(src, 100)
    task_id = submit(
        alice,
        transfer_doc(
            src_id, dst_id, [{"source_path": "/many", "destination_path": "/m", "recursive": True}]
        ),
    )
    response = alice.put(
        f"task/{task_id}",
        json={"DATA_TYPE": "task", "label": "renamed", "deadline": "2999-01-02T03:04:05+00:00"},
    )
    assert response.status_code == 200, response.text
    assert response.json()["code"] == "Updated"
    doc = alice.get(f"task/{task_id}").json()
    assert doc["label"] == "renamed" and doc["deadline"] == "2999-01-02T03:04:05+00:00"
    assert alice.put(f"task/{task_id}", json={"DATA_TYPE": "endpoint"}).status_code == 400
    alice.post(f"task/{task_id}/cancel")
    assert alice.put(f"task/{task_id}", json={"label": "late"}).status_code == 409


def test_cancel_task(alice: TransferUser, pair: t.Any, slow_mover: None) -> None:
    src_id, src, dst_id, dst = pair
    _many(src, 200)
    task_id = submit(
        alice,
        transfer_doc(
            src_id, dst_id, [{"source_path": "/many", "destination_path": "/m", "recursive": True}]
        ),
    )
    wait_until(
        lambda: alice.get(f"task/{task_id}").json()["files_transferred"] > 0, "some progress"
    )
    active = alice.get(f"task/{task_id}").json()
    assert active["status"] == "ACTIVE" and active["nice_status"] == "OK" and active["is_ok"]
    assert active["completion_time"] is None and active["files"] == 200
    response = alice.post(f"task/{task_id}/cancel")
    assert response.status_code == 200
    assert response.json()["code"] == "Canceled"
    doc = alice.get(f"task/{task_id}").json()
    assert doc["status"] == "FAILED"
    assert doc["fatal_error"]["code"] == "CANCELED"
    assert doc["subtasks_canceled"] > 0
    assert 0 < doc["files_transferred"] < 200
    assert "CANCELED" in [e["code"] for e in events(alice, task_id)]
    copied = sorted(p.name for p in (dst / "m").iterdir())
    assert not [n for n in copied if n.startswith(".globus-local-")]
    again = alice.post(f"task/{task_id}/cancel")
    assert again.json()["code"] == "TaskComplete"


def test_event_list_paging_and_error_filter(alice: TransferUser, pair: t.Any) -> None:
    src_id, _, dst_id, _ = pair
    doc = run_transfer(alice, src_id, dst_id, [{"source_path": "/nope", "destination_path": "/n"}])
    task_id = doc["task_id"]
    full = alice.get(f"task/{task_id}/event_list", params={"limit": 100}).json()
    assert full["DATA_TYPE"] == "event_list" and full["total"] == len(full["DATA"]) >= 2
    first = full["DATA"][0]
    assert set(first) >= {"DATA_TYPE", "code", "description", "details", "is_error", "time"}
    one = alice.get(f"task/{task_id}/event_list", params={"limit": 1, "offset": 1}).json()
    assert one["length"] == 1 and one["total"] == full["total"] and one["offset"] == 1
    assert one["DATA"][0] == full["DATA"][1]
    errors = alice.get(f"task/{task_id}/event_list", params={"filter": "is_error:1"}).json()
    assert errors["total"] >= 1 and all(e["is_error"] for e in errors["DATA"])
    assert any(e["code"] == "FILE_NOT_FOUND" for e in errors["DATA"])


def test_successful_transfers_marker_paging(alice: TransferUser, pair: t.Any) -> None:
    src_id, src, dst_id, _ = pair
    _many(src, 5)
    doc = run_transfer(
        alice,
        src_id,
        dst_id,
        [{"source_path": "/many", "destination_path": "/m", "recursive": True}],
    )
    task_id = doc["task_id"]
    seen, marker, pages = [], 0, 0
    while True:
        page = alice.get(
            f"task/{task_id}/successful_transfers", params={"marker": marker, "limit": 2}
        ).json()
        pages += 1
        assert page["DATA_TYPE"] == "successful_transfers"
        seen += [(d["source_path"], d["destination_path"]) for d in page["DATA"]]
        if page["next_marker"] is None:
            assert page["has_next_page"] is False
            break
        assert page["has_next_page"] is True and page["marker"] == page["next_marker"]
        marker = page["next_marker"]
    assert pages == 3
    assert seen == [(f"/many/{i:04d}.txt", f"/m/{i:04d}.txt") for i in range(5)]
    empty = alice.get(f"task/{task_id}/skipped_errors").json()
    assert empty["DATA"] == [] and empty["next_marker"] is None


# -- endpoint manager and pausing ---------------------------------------------------------------
def _grant(owner: TransferUser, endpoint_id: str, who: TransferUser, role: str) -> None:
    response = owner.post(
        f"endpoint/{endpoint_id}/role",
        json={"DATA_TYPE": "role", "principal_type": "identity", "principal": who.id, "role": role},
    )
    assert response.status_code in (200, 201), response.text


def test_endpoint_manager_views(alice: TransferUser, bob: TransferUser, pair: t.Any) -> None:
    src_id, _, dst_id, _ = pair
    first = run_transfer(
        alice, src_id, dst_id, [{"source_path": "/a.txt", "destination_path": "/1"}]
    )
    second = run_transfer(
        alice, src_id, dst_id, [{"source_path": "/b.txt", "destination_path": "/2"}]
    )
    assert bob.get("endpoint_manager/task_list").json()["DATA"] == []
    assert bob.get(f"endpoint_manager/task/{first['task_id']}").status_code == 404
    _grant(alice, src_id, bob, "activity_monitor")

    listing = bob.get("endpoint_manager/task_list").json()
    assert listing["DATA_TYPE"] == "task_list"
    assert [d["task_id"] for d in listing["DATA"]] == [second["task_id"], first["task_id"]]
    assert listing["DATA"][0]["owner_string"] == alice.username
    page = bob.get("endpoint_manager/task_list", params={"limit": 1}).json()
    assert page["has_next_page"] is True and page["last_key"]
    rest = bob.get(
        "endpoint_manager/task_list", params={"limit": 1, "last_key": page["last_key"]}
    ).json()
    assert [d["task_id"] for d in rest["DATA"]] == [first["task_id"]]
    assert rest["has_next_page"] is False
    filtered = bob.get(
        "endpoint_manager/task_list", params={"filter_task_id": first["task_id"]}
    ).json()
    assert [d["task_id"] for d in filtered["DATA"]] == [first["task_id"]]
    assert (
        bob.get("endpoint_manager/task_list", params={"filter_status": "FAILED"}).json()["DATA"]
        == []
    )

    task_id = first["task_id"]
    assert bob.get(f"endpoint_manager/task/{task_id}").json()["status"] == "SUCCEEDED"
    assert bob.get(f"endpoint_manager/task/{task_id}/event_list").json()["total"] >= 2
    transfers = bob.get(f"endpoint_manager/task/{task_id}/successful_transfers").json()
    assert transfers["DATA"][0]["destination_path"] == "/1"
    assert bob.get(f"endpoint_manager/task/{task_id}/skipped_errors").json()["DATA"] == []
    # A monitor may look but not cancel.
    denied = bob.post(
        "endpoint_manager/admin_cancel", json={"task_id_list": [task_id], "message": "no"}
    )
    assert denied.status_code == 403


def test_admin_cancel_pause_resume(
    alice: TransferUser, bob: TransferUser, pair: t.Any, slow_mover: None
) -> None:
    src_id, src, dst_id, dst = pair
    _many(src, 150)
    _grant(alice, dst_id, bob, "activity_manager")
    items = [{"source_path": "/many", "destination_path": "/m", "recursive": True}]
    task_id = submit(alice, transfer_doc(src_id, dst_id, items))
    wait_until(lambda: alice.get(f"task/{task_id}").json()["files_transferred"] > 0, "progress")

    paused = bob.post(
        "endpoint_manager/admin_pause", json={"task_id_list": [task_id], "message": "hold"}
    )
    assert paused.status_code == 200, paused.text
    wait_until(lambda: "PAUSED" in [e["code"] for e in events(alice, task_id)], "pause")
    doc = alice.get(f"task/{task_id}").json()
    assert doc["status"] == "ACTIVE" and doc["is_paused"] is True
    count = doc["files_transferred"]
    time.sleep(0.3)
    assert alice.get(f"task/{task_id}").json()["files_transferred"] == count
    assert alice.get(f"task/{task_id}/pause_info").json()["message"] == "hold"

    resumed = bob.post("endpoint_manager/admin_resume", json={"task_id_list": [task_id]})
    assert resumed.status_code == 200
    wait_until(lambda: alice.get(f"task/{task_id}").json()["files_transferred"] > count, "resume")

    cancel = bob.post(
        "endpoint_manager/admin_cancel", json={"task_id_list": [task_id], "message": "bye"}
    ).json()
    assert cancel["DATA_TYPE"] == "admin_cancel" and cancel["task_id_list"] == [task_id]
    wait_until(
        lambda: bob.get(f"endpoint_manager/admin_cancel/{cancel['id']}").json()["done"], "cancel"
    )
    doc = alice.get(f"task/{task_id}").json()
    assert doc["status"] == "FAILED" and doc["fatal_error"]["code"] == "CANCELED"
    assert doc["canceled_by_admin"] == "DESTINATION"
    assert doc["canceled_by_admin_message"] == "bye"


def test_pause_rules(alice: TransferUser, bob: TransferUser, pair: t.Any) -> None:
    src_id, _, dst_id, dst = pair
    _grant(alice, dst_id, bob, "activity_manager")
    created = bob.post(
        "endpoint_manager/pause_rule",
        json={
            "DATA_TYPE": "pause_rule",
            "endpoint_id": dst_id,
            "message": "maintenance",
            "pause_task_transfer_write": True,
        },
    )
    assert created.status_code == 200, created.text
    rule = created.json()
    assert rule["DATA_TYPE"] == "pause_rule" and rule["pause_task_transfer_write"] is True
    # Flags left out pause too, as the real service does.
    assert rule["modified_by_id"] == bob.id and rule["pause_ls"] is True
    assert bob.get(f"endpoint_manager/pause_rule/{rule['id']}").json()["id"] == rule["id"]
    listed = bob.get("endpoint_manager/pause_rule_list", params={"filter_endpoint": dst_id})
    assert [r["id"] for r in listed.json()["DATA"]] == [rule["id"]]
    mine = alice.get(f"endpoint/{dst_id}/my_effective_pause_rule_list").json()
    assert mine["DATA"][0]["message"] == "maintenance"

    task_id = submit(
        alice, transfer_doc(src_id, dst_id, [{"source_path": "/a.txt", "destination_path": "/p"}])
    )
    wait_until(lambda: alice.get(f"task/{task_id}").json()["is_paused"], "the rule to pause it")
    info = alice.get(f"task/{task_id}/pause_info").json()
    assert info["DATA_TYPE"] == "pause_info_limited"
    assert info["destination_pause_message"] == "maintenance"
    assert info["pause_rules"][0]["id"] == rule["id"]
    assert not (dst / "p").exists()

    updated = bob.put(f"endpoint_manager/pause_rule/{rule['id']}", json={"message": "soon"})
    assert updated.json()["message"] == "soon"
    assert bob.delete(f"endpoint_manager/pause_rule/{rule['id']}").json()["code"] == "Deleted"
    assert wait_task(alice, task_id)["status"] == "SUCCEEDED"
    assert (dst / "p").read_bytes() == b"aaaa"
    gone = bob.get(f"endpoint_manager/pause_rule/{rule['id']}")
    assert gone.status_code == 404 and gone.json()["code"] == "PauseRuleNotFound"
    assert (
        alice.post(
            "endpoint_manager/pause_rule", json={"endpoint_id": src_id, "pause_ls": True}
        ).status_code
        == 200
    )
    stranger = bob.post("endpoint_manager/pause_rule", json={"endpoint_id": src_id})
    assert stranger.status_code in (403, 404)


def test_a_task_left_paused_by_a_race_runs_again(
    alice: TransferUser, bob: TransferUser, pair: t.Any, transfer_server: t.Any
) -> None:
    """A rule deleted while the run that saw it was ending paused: nothing requeued the
    task then, and the recurring sweep does."""
    from sqlalchemy import delete

    from globus_local.services.transfer.models_tasks import PauseRule
    from globus_local.services.transfer.pause_sweep import resume_unpaused

    src_id, _, dst_id, dst = pair
    _grant(alice, dst_id, bob, "activity_manager")
    rule = bob.post("endpoint_manager/pause_rule", json={"endpoint_id": dst_id}).json()
    task_id = submit(
        alice, transfer_doc(src_id, dst_id, [{"source_path": "/a.txt", "destination_path": "/r"}])
    )
    wait_until(lambda: alice.get(f"task/{task_id}").json()["is_paused"], "the rule to pause it")
    # The race's outcome: the rule is gone, and no one requeued the paused task.
    with transfer_server.db.session() as session:
        session.execute(delete(PauseRule).where(PauseRule.id == rule["id"]))
    # The sweep (here, or the server's own every few seconds) requeues it.
    assert resume_unpaused(transfer_server.db) in (0, 1)
    assert wait_task(alice, task_id)["status"] == "SUCCEEDED"
    assert (dst / "r").read_bytes() == b"aaaa"
    assert resume_unpaused(transfer_server.db) == 0


def test_a_task_canceled_while_its_run_stopped_for_a_pause_ends(
    alice: TransferUser, bob: TransferUser, pair: t.Any, transfer_server: t.Any
) -> None:
    """The cancel came while the run was recording its pause (so its job was running and
    the cancel only asked it to stop): the recurring sweep ends the task."""
    from sqlalchemy import update

    from globus_local.services.transfer.models_tasks import TransferTask
    from globus_local.services.transfer.pause_sweep import resume_unpaused

    src_id, _, dst_id, dst = pair
    _grant(alice, dst_id, bob, "activity_manager")
    bob.post("endpoint_manager/pause_rule", json={"endpoint_id": dst_id})
    task_id = submit(
        alice, transfer_doc(src_id, dst_id, [{"source_path": "/a.txt", "destination_path": "/c"}])
    )
    wait_until(lambda: alice.get(f"task/{task_id}").json()["is_paused"], "the rule to pause it")
    # The race's outcome: a cancel recorded, the task left paused and active.
    with transfer_server.db.session() as session:
        session.execute(
            update(TransferTask).where(TransferTask.id == task_id).values(cancel_requested=True)
        )
    assert resume_unpaused(transfer_server.db) in (0, 1)
    done = wait_task(alice, task_id)
    assert done["status"] == "FAILED" and done["fatal_error"]["code"] == "CANCELED"
    assert not (dst / "c").exists()


def test_pause_rule_list_for_activity_monitors(
    alice: TransferUser, bob: TransferUser, make_user: t.Callable[..., TransferUser], pair: t.Any
) -> None:
    """The rule list shows rules to monitors; the SDK docs say 'activity monitor' suffices."""
    src_id, _, dst_id, _ = pair
    carol = make_user()
    _grant(alice, dst_id, bob, "activity_monitor")
    rule = alice.post(
        "endpoint_manager/pause_rule", json={"endpoint_id": dst_id, "message": "soon"}
    ).json()
    listed = bob.get("endpoint_manager/pause_rule_list", params={"filter_endpoint": dst_id})
    assert [r["id"] for r in listed.json()["DATA"]] == [rule["id"]]
    assert [r["id"] for r in bob.get("endpoint_manager/pause_rule_list").json()["DATA"]] == [
        rule["id"]
    ]
    # Monitoring nothing, or filtering on an endpoint not monitored, shows nothing.
    assert carol.get("endpoint_manager/pause_rule_list").json()["DATA"] == []
    filtered = bob.get("endpoint_manager/pause_rule_list", params={"filter_endpoint": src_id})
    assert filtered.json()["DATA"] == []
