"""Helpers of the cluster suite (test_cluster.py): a throwaway ``redis-server``, ``belfry serve``
nodes joined through it (``--redis-url``, ``--redis-prefix``), the manifests they share, and the
cluster's view of itself read from each node's ``/readyz?verbose`` and ``/metrics``.

A node is a conftest ``BelfryServer`` (its log lands in the report of a failing test) whose
manifest directory is shared with the other nodes of its deployment. Nodes are launched
together and waited for together: a node is ready when ``/readyz`` answers 200, its cluster link
is ``connected`` and its ``nodes`` list holds every node expected to be alive.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import socket
import subprocess
import time
from pathlib import Path
from typing import Any, Iterable

import pytest
import requests

from conftest import _ALL_SERVERS, USERS_MANIFEST, App, BelfryServer, free_port, wait_until

REDIS_SERVER = shutil.which("redis-server") or "/usr/bin/redis-server"

# Deadlines from the cluster's specification (heartbeat 1 s, dead after 5 s of silence and reaped
# within ~2 s, delayed webhooks 3 s after the decision, reconnect backoff capped at 5 s).
NODE_DEATH_DEADLINE = 12.0      # kill -9 of a node -> member_removed on the others
WEBHOOK_DEADLINE = 20.0         # -> its webhooks (member_removed, channel_vacated)
REDIS_RECOVERY_DEADLINE = 20.0  # redis-server back on its port -> cross-node delivery again
CLUSTER_FORM_DEADLINE = 30.0    # nodes started -> each sees every other one


# --------------------------------------------------------------------------------------
# redis-server
# --------------------------------------------------------------------------------------


def redis_command(port: int, *args: str, timeout: float = 2.0) -> Any:
    """One command on a fresh connection (RESP2), the decoded reply. Errors raise RuntimeError."""
    out = b"*%d\r\n" % len(args) + b"".join(b"$%d\r\n%s\r\n" % (len(a.encode()), a.encode()) for a in args)
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as s:
        s.sendall(out)
        reader = s.makefile("rb")
        return _read_reply(reader)


def _read_reply(reader: Any) -> Any:
    line = reader.readline()
    if not line:
        raise ConnectionError("redis closed the connection")
    kind, rest = line[:1], line[1:-2]
    if kind == b"+":
        return rest.decode()
    if kind == b"-":
        raise RuntimeError(rest.decode())
    if kind == b":":
        return int(rest)
    if kind == b"$":
        n = int(rest)
        if n < 0:
            return None
        data = reader.read(n + 2)[:-2]
        return data.decode(errors="replace")
    if kind == b"*":
        n = int(rest)
        return None if n < 0 else [_read_reply(reader) for _ in range(n)]
    raise RuntimeError(f"unexpected RESP reply {line!r}")


class RedisServer:
    """``redis-server`` without persistence on a loopback port, restartable on the same port."""

    def __init__(self, root: Path, tls: bool = False) -> None:
        self.root = root
        self.root.mkdir(parents=True, exist_ok=True)
        self.port = 0
        self.proc: subprocess.Popen[bytes] | None = None
        self.log_path = root / "redis.log"
        # With TLS the nodes use a TLS port (certificate for 127.0.0.1 signed by a test CA,
        # ca_file); the plain port stays for the tests' own commands.
        self.tls = tls
        self.tls_port = 0
        self.ca_file = root / "ca.pem" if tls else None

    @property
    def url(self) -> str:
        return f"rediss://127.0.0.1:{self.tls_port}" if self.tls else f"redis://127.0.0.1:{self.port}"

    def _make_certificates(self) -> list[str]:
        """A test CA and a server certificate for 127.0.0.1 (openssl); redis-server's TLS flags."""
        d = self.root
        key = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"]
        (d / "san.cnf").write_text("subjectAltName=IP:127.0.0.1\n")
        for args in (["req", "-x509", *key, "-keyout", "ca.key", "-out", "ca.pem", "-days", "2", "-subj", "/CN=test CA"],
                     ["req", *key, "-keyout", "server.key", "-out", "server.csr", "-subj", "/CN=127.0.0.1"],
                     ["x509", "-req", "-in", "server.csr", "-CA", "ca.pem", "-CAkey", "ca.key", "-CAcreateserial",
                      "-out", "server.pem", "-days", "2", "-extfile", "san.cnf"]):
            subprocess.run(["openssl", *args], cwd=d, check=True, capture_output=True, timeout=30)
        return ["--tls-port", str(self.tls_port), "--tls-cert-file", str(d / "server.pem"),
                "--tls-key-file", str(d / "server.key"), "--tls-ca-cert-file", str(d / "ca.pem"),
                "--tls-auth-clients", "no"]

    def start(self) -> "RedisServer":
        if not Path(REDIS_SERVER).exists():
            pytest.fail(f"redis-server not found ({REDIS_SERVER}); install it (apt-get install redis-server)",
                        pytrace=False)
        if not self.port:
            self.port = free_port()
        tls_flags: list[str] = []
        if self.tls:
            self.tls_port = self.tls_port or free_port()
            tls_flags = self._make_certificates()
        cmd = [REDIS_SERVER, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
               "--dir", str(self.root), *tls_flags]
        with open(self.log_path, "ab") as log:
            log.write(f"===== {' '.join(cmd)}\n".encode())
            log.flush()
            self.proc = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                         cwd=self.root)

        def pong() -> bool:
            if self.proc is None or self.proc.poll() is not None:
                raise AssertionError(f"redis-server exited with {self.proc and self.proc.returncode}:\n"
                                     f"{self.log_tail()}")
            try:
                return redis_command(self.port, "PING", timeout=0.5) == "PONG"
            except (OSError, RuntimeError):
                return False

        wait_until(pong, timeout=20, interval=0.05, message=f"redis-server PONG on port {self.port}")
        return self

    def kill(self) -> None:
        """SIGKILL and wait: the port is free (and the data gone) when this returns."""
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGKILL)
            self.proc.wait(timeout=10)

    def alive(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def keys(self) -> list[str]:
        return sorted(redis_command(self.port, "KEYS", "*") or [])

    def pubsub_channels(self) -> list[str]:
        return sorted(redis_command(self.port, "PUBSUB", "CHANNELS") or [])

    def log_tail(self, limit: int = 4000) -> str:
        try:
            return self.log_path.read_text(errors="replace")[-limit:]
        except OSError:
            return "(no log)"


# --------------------------------------------------------------------------------------
# Manifests shared by the nodes of a deployment
# --------------------------------------------------------------------------------------

# One app per concern, so that a test's limits or webhooks never touch another's.
CL = App("cl", "5001", "cl-key", "cl-secret", client_events=True, allowed_origins=("*",))
CLMAX = App("clmax", "5002", "clmax-key", "clmax-secret", limits={"maxConnections": 3})
CLHOOK = App("clhook", "5003", "clhook-key", "clhook-secret")
# Many connections from one address at once (`belfry bench`): the per-address limits lifted.
CLFLOOD = App("clflood", "5004", "clflood-key", "clflood-secret",
              limits={"maxConnectionsPerAddress": "null", "connectionsPerSecondPerAddress": "null"})
CLUSTER_APPS = {a.name: a for a in (CL, CLMAX, CLHOOK, CLFLOOD)}
HOOK_EVENTS = ["channel_occupied", "channel_vacated", "member_added", "member_removed"]


def write_cluster_config(config_dir: Path, webhook_url: str) -> None:
    """The manifest directory every node of a deployment serves (the same apps, ids and keys)."""
    config_dir.mkdir(parents=True, exist_ok=True)
    (config_dir / "cl.yaml").write_text(CL.manifest())
    (config_dir / "clmax.yaml").write_text(CLMAX.manifest())
    (config_dir / "clflood.yaml").write_text(CLFLOOD.manifest())
    hook = CLHOOK.manifest() + "\n".join([
        "  webhooks:",
        f"    - url: {json.dumps(webhook_url)}",
        f"      events: {json.dumps(HOOK_EVENTS)}",
        "      batch: false",
    ]) + "\n"
    (config_dir / "clhook.yaml").write_text(hook)
    (config_dir / "users.yaml").write_text(USERS_MANIFEST)


# --------------------------------------------------------------------------------------
# Nodes
# --------------------------------------------------------------------------------------


class ClusterNode(BelfryServer):
    """``belfry serve`` joined to a cluster: shared manifests, its own data dir and ports."""

    def __init__(self, name: str, root: Path, config_dir: Path, redis: RedisServer, prefix: str | None,
                 via_env: bool = False, trust_ca: bool = True) -> None:
        super().__init__(name, root, session=False, shutdown_grace=2)
        self.config_dir = config_dir  # shared; the conftest apps written under root stay unused
        self.redis = redis
        self.prefix = prefix
        self.via_env = via_env  # BELFRY_REDIS_URL / BELFRY_REDIS_PREFIX instead of the flags
        # With a TLS Redis: given its CA (--redis-ca-file), or not (the certificate is refused).
        self.ca_file = redis.ca_file if trust_ca else None
        self.node_id: str | None = None
        self.extra: list[str] = []  # more `serve` flags

    def command(self) -> list[str]:
        if self.via_env:
            return super().command() + self.extra
        cmd = super().command() + self.extra + ["--redis-url", self.redis.url]
        if self.prefix is not None:
            cmd += ["--redis-prefix", self.prefix]
        if self.ca_file is not None:
            cmd += ["--redis-ca-file", str(self.ca_file)]
        return cmd

    def environment(self) -> dict[str, str]:
        env = dict(os.environ)
        for var in ("BELFRY_REDIS_URL", "BELFRY_REDIS_PREFIX", "BELFRY_REDIS_CA_FILE"):
            env.pop(var, None)
        if self.via_env:
            env["BELFRY_REDIS_URL"] = self.redis.url
            if self.prefix is not None:
                env["BELFRY_REDIS_PREFIX"] = self.prefix
            if self.ca_file is not None:
                env["BELFRY_REDIS_CA_FILE"] = str(self.ca_file)
        return env

    # -- lifecycle: launch all, then wait for all -------------------------------------

    def launch(self) -> None:
        from conftest import BELFRY_BIN
        if not BELFRY_BIN.exists():
            pytest.fail(f"belfry binary not found at {BELFRY_BIN} (build it with `swift build --product belfry` "
                        "or point BELFRY_BIN at it)", pytrace=False)
        self.port = free_port()
        self.admin_port = free_port()
        self.starts += 1
        env = self.environment()
        with open(self.log_path, "ab") as log:
            shown = {k: v for k, v in env.items() if k.startswith("BELFRY_REDIS_")}
            log.write(f"===== start #{self.starts}: {shown or ''} {' '.join(self.command())}\n".encode())
            log.flush()
            self.proc = subprocess.Popen(self.command(), stdout=log, stderr=subprocess.STDOUT,
                                         stdin=subprocess.DEVNULL, env=env, cwd=self.root)

    def start(self) -> "ClusterNode":
        self.launch()
        wait_nodes_ready([self])
        return self

    # -- the cluster as this node sees it ----------------------------------------------

    @property
    def admin_url(self) -> str:
        return f"http://127.0.0.1:{self.admin_port}"

    def readyz(self, port: str = "admin") -> tuple[int, dict[str, Any]]:
        """``/readyz?verbose`` of the admin port (or of the public one: both answer it)."""
        base = self.admin_url if port == "admin" else self.http_url
        r = requests.get(f"{base}/readyz?verbose", timeout=2)
        try:
            body = r.json()
        except ValueError:
            body = {"unparsed": r.text}
        return r.status_code, body

    def cluster_check(self) -> dict[str, Any]:
        """``checks.cluster`` of ``/readyz?verbose`` (the status code does not matter: it is a note)."""
        _, body = self.readyz()
        check = (body.get("checks") or {}).get("cluster") or {}
        assert isinstance(check, dict), f"{self.name}: /readyz?verbose without the cluster figures: {body}"
        return check

    def node_ids(self) -> set[str]:
        """Ids of the nodes this node lists as alive."""
        return {n.get("id") for n in self.cluster_check().get("nodes") or [] if n.get("alive", True)}

    def listed_ids(self) -> set[str]:
        """Ids of every node this node lists, alive or not."""
        return {n.get("id") for n in self.cluster_check().get("nodes") or []}

    def metric(self, name: str) -> float | None:
        text = requests.get(f"{self.admin_url}/metrics", timeout=2).text
        m = re.search(rf"^{re.escape(name)}(?:\{{[^}}]*\}})? (\S+)$", text, re.M)
        return float(m.group(1)) if m else None

    def status_summary(self) -> str:
        try:
            code, body = self.readyz()
            return f"{self.name}: HTTP {code} cluster={json.dumps((body.get('checks') or {}).get('cluster'))}"
        except requests.RequestException as exc:
            return f"{self.name}: /readyz unreachable ({exc.__class__.__name__})"


def wait_nodes_ready(nodes: Iterable[ClusterNode], expect_peers: Iterable[ClusterNode] | None = None,
                     timeout: float = CLUSTER_FORM_DEADLINE) -> None:
    """Wait until every node answers /readyz 200 with a connected cluster link and lists every node
    of ``expect_peers`` (default: ``nodes``) as alive. Fails with the nodes' logs otherwise."""
    nodes = list(nodes)
    peers = list(expect_peers) if expect_peers is not None else nodes
    deadline = time.monotonic() + timeout

    def own_id(node: ClusterNode) -> bool:
        if node.proc is None or node.proc.poll() is not None:
            raise _NodeDied(node)
        try:
            code, body = node.readyz()
        except requests.RequestException:
            return False
        cluster = (body.get("checks") or {}).get("cluster") or {}
        if not isinstance(cluster, dict):
            raise AssertionError(f"{node.name}: /readyz?verbose has no cluster figures: {json.dumps(body)}")
        if code != 200 or cluster.get("link") != "connected" or not cluster.get("node"):
            return False
        node.node_id = cluster["node"]
        return True

    try:
        for node in nodes:
            wait_until(lambda: own_id(node), timeout=max(0.1, deadline - time.monotonic()), interval=0.1,
                       message=f"{node.name}: /readyz 200 with cluster link connected")
        for p in peers:
            assert p.node_id, f"{p.name} has no node id yet"
        want = {p.node_id for p in peers}
        for node in nodes:
            def sees_all(node: ClusterNode = node) -> bool:
                if node.proc is None or node.proc.poll() is not None:
                    raise _NodeDied(node)
                try:
                    return want <= node.node_ids()
                except requests.RequestException:
                    return False
            wait_until(sees_all, timeout=max(0.1, deadline - time.monotonic()), interval=0.1,
                       message=f"{node.name} to list nodes {sorted(want)}")
    except _NodeDied as dead:
        node = dead.node
        problem = (f"{node.name} exited with {node.proc.returncode if node.proc else '?'} during startup\n"
                   f"--- log ---\n{node.log_tail()}")
    except AssertionError as exc:
        logs = "\n".join(f"--- {n.name} log ---\n{n.log_tail(limit=5000)}" for n in nodes)
        states = "\n".join(n.status_summary() for n in nodes)
        problem = f"cluster did not form: {exc}\n{states}\n{logs}"
    else:
        return
    for n in nodes:
        n.kill()
    pytest.fail(problem, pytrace=False)  # outside the except: no chained traceback


class _NodeDied(Exception):
    def __init__(self, node: ClusterNode) -> None:
        super().__init__(f"{node.name} exited")
        self.node = node


class Deployment:
    """Nodes sharing one redis-server, one prefix and one manifest directory."""

    def __init__(self, root: Path, redis: RedisServer, webhook_url: str, prefix: str | None = None,
                 via_env: bool = False, trust_ca: bool = True) -> None:
        self.root = root
        self.root.mkdir(parents=True, exist_ok=True)
        self.redis = redis
        self.prefix = prefix
        self.via_env = via_env
        self.trust_ca = trust_ca
        self.config_dir = root / "config"
        write_cluster_config(self.config_dir, webhook_url)
        self.nodes: list[ClusterNode] = []

    def launch(self, *names: str, extra: Iterable[str] = ()) -> list[ClusterNode]:
        """Starts the nodes without waiting for them (nor for their cluster link); ``extra``: more
        `serve` flags for them."""
        new = []
        for name in names:
            node = ClusterNode(name, self.root / name, self.config_dir, self.redis, self.prefix, self.via_env,
                               self.trust_ca)
            node.extra = list(extra)
            new.append(node)
            self.nodes.append(node)
        for node in new:
            node.launch()
        return new

    def start(self, *names: str, extra: Iterable[str] = ()) -> list[ClusterNode]:
        new = self.launch(*names, extra=extra)
        wait_nodes_ready(new, expect_peers=[n for n in self.nodes if n.alive() or n in new])
        return new

    def stop(self) -> list[tuple[str, int]]:
        """SIGTERM every live node; the nodes that did not exit with 0."""
        bad = []
        for node in self.nodes:
            if node.alive():
                try:
                    code = node.stop()
                except AssertionError:
                    code = -1
                if code != 0:
                    bad.append((node.name, code))
        return bad

    def kill(self) -> None:
        for node in self.nodes:
            node.kill()

    def forget(self) -> None:
        """Remove the nodes from conftest's server list (whose logs are printed on failures)."""
        for node in self.nodes:
            if node in _ALL_SERVERS:
                _ALL_SERVERS.remove(node)
