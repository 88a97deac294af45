"""Starts Debian's rabbitmq-server with its own directories, node name and
ports (so it never meets a system broker), waits until it answers, and
stops it (and the epmd it started) by pid. Used by rabbitmq.py."""

import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class RabbitServer:
    def __init__(self, server):
        self.server = server
        self.sbin = os.path.dirname(server)
        self.dir = tempfile.mkdtemp(prefix="fanout-rabbit-")
        self.port = free_port()
        self.dist_port = free_port()
        self.epmd_port = free_port()
        self.name = "fanout%d@localhost" % os.getpid()
        self.proc = None
        for sub in ("mnesia", "log"):
            os.makedirs(os.path.join(self.dir, sub))
        # As root, Debian's wrapper runs the broker as the `rabbitmq` user:
        # it must own its directories.
        if os.geteuid() == 0:
            try:
                user = pwd.getpwnam("rabbitmq")
                for root, dirs, files in os.walk(self.dir):
                    for d in dirs + files:
                        os.chown(os.path.join(root, d), user.pw_uid, user.pw_gid)
                os.chown(self.dir, user.pw_uid, user.pw_gid)
            except KeyError:
                pass
        self.env = dict(os.environ)
        self.env.update(
            RABBITMQ_NODENAME=self.name,
            RABBITMQ_NODE_PORT=str(self.port),
            RABBITMQ_DIST_PORT=str(self.dist_port),
            ERL_EPMD_PORT=str(self.epmd_port),
            RABBITMQ_MNESIA_BASE=os.path.join(self.dir, "mnesia"),
            RABBITMQ_LOG_BASE=os.path.join(self.dir, "log"),
            RABBITMQ_FEATURE_FLAGS_FILE=os.path.join(self.dir, "feature_flags"),
            RABBITMQ_ENABLED_PLUGINS_FILE=os.path.join(self.dir, "enabled_plugins"),
            RABBITMQ_PID_FILE=os.path.join(self.dir, "pid"),
        )

    def start(self, timeout=60):
        self.proc = subprocess.Popen(
            [self.server],
            env=self.env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        self.wait_up(timeout)

    def wait_up(self, timeout=60):
        deadline = time.time() + timeout
        while time.time() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError("rabbitmq-server exited with %s" % self.proc.returncode)
            if self.ctl("await_startup", check=False, timeout=30).returncode == 0:
                return
            time.sleep(0.3)
        raise RuntimeError("rabbitmq-server did not start within %ss" % timeout)

    def ctl(self, *args, check=True, timeout=60):
        return subprocess.run(
            [os.path.join(self.sbin, "rabbitmqctl"), "-n", self.name, *args],
            env=self.env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            check=check,
            timeout=timeout,
        )

    def restart_app(self):
        """A broker restart: the application stops (queues close, memory is
        gone) and starts again, recovering from its disk."""
        self.ctl("stop_app")
        self.ctl("start_app")
        self.ctl("await_startup")

    def stop(self):
        """Stops this node (rabbitmqctl stop waits for it) and the epmd it
        started on its own port, then removes its directories."""
        if self.proc is not None:
            self.ctl("stop", check=False, timeout=60)
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
        subprocess.run(
            ["epmd", "-kill"],
            env=self.env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        shutil.rmtree(self.dir, ignore_errors=True)
