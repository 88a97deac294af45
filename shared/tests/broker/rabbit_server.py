"""A private RabbitMQ node for one test run: Debian's rabbitmq-server with
its own node name, AMQP port, distribution port, epmd port, Erlang cookie
(HOME), configuration, database and log directories, all in a temporary
directory, listening on 127.0.0.1 only, so it never meets a system broker
or another run. Used by rabbit_oracle.py.

It runs the broker's own start script (/usr/lib/rabbitmq/bin), not
Debian's wrapper in /usr/sbin, which would switch to the `rabbitmq` user
and its home: as root (CI) and as anyone else the node then runs as the
caller, on directories the caller owns.

`crash()` kills the node's processes (SIGKILL to its process group: the
start script, the Erlang VM and its helpers), as a power cut would;
`start()` again recovers from the same directory. `stop()` ends the node
and the epmd it started (by that epmd's own port), then removes the
directory."""

import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time

SCRIPTS = "/usr/lib/rabbitmq/bin"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class RabbitServer:
    def __init__(self, server):
        # `server` is what the test command found (/usr/sbin/rabbitmq-server,
        # Debian's wrapper); the start script beside the broker is used.
        self.script = os.path.join(SCRIPTS, "rabbitmq-server")
        if not os.path.exists(self.script):
            self.script = server
        self.dir = tempfile.mkdtemp(prefix="fanout-rabbit-")
        self.port = free_port()
        self.dist_port = free_port()
        self.epmd_port = free_port()
        self.name = "fanout%d@localhost" % os.getpid()
        self.proc = None
        self.log = None
        for sub in ("mnesia", "log", "home"):
            os.makedirs(os.path.join(self.dir, sub))
        conf = os.path.join(self.dir, "rabbitmq.conf")
        with open(conf, "w") as f:
            f.write(
                "listeners.tcp.1 = 127.0.0.1:%d\n"
                "log.console = false\n"
                "log.file.level = warning\n"
                # No disk-space alarm on a full CI disk: publishers would block.
                "disk_free_limit.absolute = 1MB\n" % self.port
            )
        with open(os.path.join(self.dir, "enabled_plugins"), "w") as f:
            f.write("[].\n")
        env_file = os.path.join(self.dir, "rabbitmq-env.conf")
        open(env_file, "w").close()
        self.env = dict(os.environ)
        self.env.update(
            HOME=os.path.join(self.dir, "home"),
            RABBITMQ_NODENAME=self.name,
            RABBITMQ_NODE_IP_ADDRESS="127.0.0.1",
            RABBITMQ_NODE_PORT=str(self.port),
            RABBITMQ_DIST_PORT=str(self.dist_port),
            ERL_EPMD_PORT=str(self.epmd_port),
            ERL_EPMD_ADDRESS="127.0.0.1",
            RABBITMQ_CONF_ENV_FILE=env_file,
            RABBITMQ_CONFIG_FILE=conf,
            RABBITMQ_ADVANCED_CONFIG_FILE=os.path.join(self.dir, "advanced.config"),
            RABBITMQ_MNESIA_BASE=os.path.join(self.dir, "mnesia"),
            RABBITMQ_LOG_BASE=os.path.join(self.dir, "log"),
            RABBITMQ_FEATURE_FLAGS_FILE=os.path.join(self.dir, "feature_flags"),
            RABBITMQ_ENABLED_PLUGINS_FILE=os.path.join(self.dir, "enabled_plugins"),
            RABBITMQ_PLUGINS_EXPAND_DIR=os.path.join(self.dir, "plugins-expand"),
            RABBITMQ_PID_FILE=os.path.join(self.dir, "pid"),
            RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS="-kernel inet_dist_use_interface {127,0,0,1}",
        )

    def start(self, timeout=90):
        """Starts the node (or starts it again on its directory) and waits
        until its AMQP port answers."""
        self.log = open(os.path.join(self.dir, "startup.log"), "ab")
        self.proc = subprocess.Popen(
            [self.script],
            env=self.env,
            cwd=self.dir,
            stdin=subprocess.DEVNULL,
            stdout=self.log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        deadline = time.time() + timeout
        while time.time() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(
                    "rabbitmq-server exited with %s:\n%s" % (self.proc.returncode, self.startup_log())
                )
            if self.answers():
                return
            time.sleep(0.2)
        raise RuntimeError("rabbitmq-server did not answer within %ss:\n%s" % (timeout, self.startup_log()))

    def answers(self):
        """The AMQP listener accepts and answers a protocol header."""
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=2) as s:
                s.sendall(b"AMQP\x00\x00\x09\x01")
                return len(s.recv(7)) > 0
        except OSError:
            return False

    def startup_log(self):
        try:
            with open(os.path.join(self.dir, "startup.log"), "rb") as f:
                return f.read()[-4000:].decode(errors="replace")
        except OSError:
            return ""

    def crash(self):
        """SIGKILL to the node's process group: no clean shutdown."""
        if self.proc is not None and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait()
        self.proc = None
        if self.log is not None:
            self.log.close()
            self.log = None

    def stop(self):
        """SIGTERM (the start script stops the broker cleanly), SIGKILL if
        it lingers, then the epmd on this node's own port, then the
        directory."""
        if self.proc is not None and self.proc.poll() is None:
            try:
                os.killpg(self.proc.pid, signal.SIGTERM)
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait()
            except ProcessLookupError:
                pass
        self.proc = None
        if self.log is not None:
            self.log.close()
            self.log = None
        subprocess.run(
            ["epmd", "-kill"],
            env=self.env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        shutil.rmtree(self.dir, ignore_errors=True)
