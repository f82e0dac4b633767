"""Run by the REAL globus-sdk 4.x in its compat venv: the TimersClient against a live
globus-local. Tokens and endpoint ids come in the environment; one JSON report goes out.

A recurring transfer timer that ends after two runs, its listing and renaming; a once
timer paused, resumed and deleted; the error of a timer that does not exist.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import sys
import time
import uuid

import globus_sdk
from globus_sdk import (
    AccessTokenAuthorizer,
    OnceTimerSchedule,
    RecurringTimerSchedule,
    TimersClient,
    TransferData,
    TransferTimer,
)

TIMEOUT = 90


def main() -> dict:
    tokens = json.loads(os.environ["TOKENS"])
    timers = TimersClient(authorizer=AccessTokenAuthorizer(tokens["timer"]))
    src, dst = os.environ["SRC"], os.environ["DST"]
    report: dict = {"sdk_version": globus_sdk.__version__}

    data = TransferData(source_endpoint=src, destination_endpoint=dst, label="sdk timer")
    data.add_item("/data/", "/sdk/", recursive=True)
    schedule = RecurringTimerSchedule(
        interval_seconds=1, end={"condition": "iterations", "count": 2}
    )
    created = timers.create_timer(TransferTimer(name="sdk timer", schedule=schedule, body=data))
    report["create_status"] = created.http_status
    job_id = created["timer"]["job_id"]
    report["created"] = created["timer"]
    deadline = time.monotonic() + TIMEOUT
    while True:
        job = timers.get_job(job_id)
        if job["status"] == "ended" or time.monotonic() > deadline:
            break
        time.sleep(0.2)
    report["ended"] = job.data
    report["listed_ended"] = [
        j["job_id"] for j in timers.list_jobs(query_params={"filter_status": "ended"})["jobs"]
    ]
    report["renamed"] = timers.update_job(job_id, {"name": "sdk renamed"})["name"]

    later = dt.datetime.now(dt.timezone.utc) + dt.timedelta(hours=1)
    once = TransferTimer(name="sdk once", schedule=OnceTimerSchedule(datetime=later), body=data)
    once_id = timers.create_timer(once)["timer"]["job_id"]
    report["pause"] = timers.pause_job(once_id)["message"]
    report["paused"] = timers.get_job(once_id)["status"]
    report["resume"] = timers.resume_job(once_id)["message"]
    report["resumed"] = timers.get_job(once_id)["status"]
    report["deleted"] = timers.delete_job(once_id)["status"]
    try:
        timers.get_job(str(uuid.uuid4()))
        report["missing"] = "no error"
    except globus_sdk.TimersAPIError as err:
        report["missing"] = {"http_status": err.http_status, "code": err.code}
    return report


if __name__ == "__main__":
    json.dump(main(), sys.stdout)
