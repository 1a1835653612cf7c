"""A local S3-compatible server for the tests: moto's server mode (a real HTTP server on a
free loopback port, in a thread of the test process), one bucket, started on first use.

With SAFETYWALK_TEST_MEDIA=s3 every app the tests make keeps its photos there (conftest's
make_settings), so the whole suite runs once on the local folder and once on object storage.
"""

from __future__ import annotations

import hashlib
import logging
import os
import threading
from functools import cached_property
from pathlib import Path
from typing import Any

BUCKET = "safetywalk-test"
REGION = "eu-north-1"
MEDIA = os.environ.get("SAFETYWALK_TEST_MEDIA", "local")


class S3Server:
    def __init__(self) -> None:
        from moto.server import ThreadedMotoServer

        # Credentials reach boto3 from the environment, as in production; moto takes any.
        os.environ.setdefault("AWS_ACCESS_KEY_ID", "testing")
        os.environ.setdefault("AWS_SECRET_ACCESS_KEY", "testing")
        os.environ.pop("AWS_PROFILE", None)
        logging.getLogger("werkzeug").setLevel(logging.WARNING)  # a line per request otherwise
        self.server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
        self.server.start()
        host, port = self.server.get_host_and_port()
        self.endpoint_url = f"http://{host}:{port}"
        self.client.create_bucket(
            Bucket=BUCKET, CreateBucketConfiguration={"LocationConstraint": REGION}
        )

    @cached_property
    def client(self) -> Any:
        import boto3

        return boto3.session.Session().client(
            "s3", endpoint_url=self.endpoint_url, region_name=REGION
        )

    def settings(self, root: Path) -> dict[str, object]:
        """make_settings' values for a store of its own under `root` (a test's tmp_path):
        the same root is the same store, as a folder would be."""
        prefix = hashlib.sha256(str(root).encode()).hexdigest()[:16]
        return {
            "media_url": f"s3://{BUCKET}/{prefix}",
            "media_s3_endpoint_url": self.endpoint_url,
            "media_s3_region": REGION,
        }

    def empty(self) -> None:
        """Remove every object (after each test, as its rows are wiped)."""
        while True:
            listed = self.client.list_objects_v2(Bucket=BUCKET, MaxKeys=1000)
            keys = [{"Key": item["Key"]} for item in listed.get("Contents", ())]
            if not keys:
                return
            self.client.delete_objects(Bucket=BUCKET, Delete={"Objects": keys, "Quiet": True})

    def stop(self) -> None:
        self.server.stop()


_lock = threading.Lock()
_server: S3Server | None = None


def shared() -> S3Server:
    """The one server of this test run, started on first use."""
    global _server
    with _lock:
        if _server is None:
            _server = S3Server()
        return _server


def running() -> S3Server | None:
    return _server
