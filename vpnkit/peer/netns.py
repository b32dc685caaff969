"""Two network namespaces, a strongSwan charon in each, always torn down (the rehearsal's lab).

::

    netns vkr-<pid>-<n>-t ("Tencent" side)          netns vkr-<pid>-<n>-i (IDC side)
      veth  203.0.113.1/32  <------------------->  veth  203.0.113.2/32 (host routes)
      bridge lan: one /32 per protected range      bridge lan: one /32 per protected range
      charon: kernel-libipsec (ESP in user space   charon: the same, its own /run, strongswan.conf
              over a TUN device) + kernel-netlink          and vici socket

Route-based labs (``routes=``): kernel-libipsec always routes its CHILD_SAs' remote selectors
into its TUN device ``ipsec0`` (table 220, looked up by the rule charon adds at start; it has
no switch to stop that, ``charon.install_routes`` is kernel-netlink's). With any-any selectors
that would send everything into the tunnel, so each side's rule to table 220 is deleted once
charon is up and the lab adds its own routes instead: only the given destinations into
``ipsec0``, the peer's address stays on the veth. Traffic to anything else is unreachable.

What this machine's kernel and Debian need (recipes/ipsec-netns in the project's shared notes):
no ESP module, so ESP runs in user space (``kernel-libipsec``) with ``load_modular = no`` and an
explicit plugin list; no ``dummy`` link type, so the protected ranges live on a bridge; two
charons collide on ``/run/charon.pid``, so each runs in a private mount namespace with a tmpfs on
``/run``. Debian's ``libreswan`` conflicts with ``strongswan-charon``/``strongswan-libcharon``;
when those are unpacked beside it (``.ci/strongswan-beside-libreswan`` puts them under
``/opt/vpnkit/strongswan``) they are overlaid on ``/usr/lib/ipsec`` inside that private mount
namespace only. Nothing on the host changes.

Every process is started by this module and stopped by its PID; the namespaces and the work
directory (which holds the configurations, including the pre-shared key, mode 0700) are removed
on exit, on error, on Ctrl-C and on SIGTERM. Every wait is bounded. Addresses are the caller's;
tests use documentation and benchmarking ranges only, and no packet leaves the namespaces.
"""

from __future__ import annotations

import contextlib
import ipaddress
import itertools
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import FrameType
from typing import Any

__all__ = [
    "INSTALL_HINT",
    "TUN",
    "Lab",
    "LabUnavailable",
    "Side",
    "host_addresses",
    "requirements",
]

PRIVATE_ROOT = Path(os.environ.get("VPNKIT_STRONGSWAN_ROOT", "/opt/vpnkit/strongswan"))
IPSEC_DIR = Path("/usr/lib/ipsec")
PACKAGES = ("strongswan-charon", "strongswan-swanctl", "libcharon-extra-plugins",
            "libstrongswan-standard-plugins")
INSTALL_HINT = (
    "apt-get install -y --no-install-recommends " + " ".join(PACKAGES)
    + " (as root; with Debian's libreswan installed, which conflicts with strongswan-charon,"
    " run .ci/strongswan-beside-libreswan instead: it unpacks charon under "
    f"{PRIVATE_ROOT})"
)
#: charon's plugins, in load order (kernel-libipsec before kernel-netlink, recipe).
PLUGINS = ("random nonce aes des sha1 sha2 md5 hmac gcm gmp curve25519 openssl pem pkcs1 x509 "
           "pubkey kdf socket-default kernel-libipsec kernel-netlink vici updown")
_LIBIPSEC = IPSEC_DIR / "plugins" / "libstrongswan-kernel-libipsec.so"
#: kernel-libipsec's TUN device (the first in a fresh namespace) and charon's routing table
TUN = "ipsec0"
ROUTING_TABLE = 220
_VICI = IPSEC_DIR / "plugins" / "libstrongswan-vici.so"
_counter = itertools.count(1)


class LabUnavailable(RuntimeError):
    """The rehearsal cannot run here (not root, or strongSwan missing); says what to install."""


def _charon_source() -> Path | None:
    """Where charon lives: the host (``None`` lower dir) or the private unpacked root."""
    if (IPSEC_DIR / "charon").exists():
        return None
    if (PRIVATE_ROOT / "usr/lib/ipsec/charon").exists():
        return PRIVATE_ROOT / "usr/lib/ipsec"
    raise LabUnavailable(f"strongSwan's charon is not installed: {INSTALL_HINT}")


def requirements() -> list[str]:
    """Every reason the lab cannot run here (empty when it can)."""
    missing = []
    if os.geteuid() != 0:
        missing.append("the rehearsal needs root (network namespaces, a TUN device)")
    tools = {"ip": "iproute2", "unshare": "util-linux", "swanctl": "strongswan-swanctl"}
    for tool, pkg in tools.items():
        if shutil.which(tool) is None and not Path("/usr/sbin", tool).exists():
            missing.append(f"{tool} not found (package {pkg})")
    try:
        _charon_source()
    except LabUnavailable:
        missing.append("charon not found (package strongswan-charon)")
    if not _LIBIPSEC.exists():
        missing.append("kernel-libipsec plugin not found (package libcharon-extra-plugins)")
    if not _VICI.exists():
        missing.append("vici plugin not found (package strongswan-swanctl)")
    if not Path("/dev/net/tun").exists():
        missing.append("/dev/net/tun is missing (userspace ESP needs a TUN device)")
    return missing


def host_addresses(cidrs: Sequence[str]) -> dict[str, str]:
    """One distinct host address inside each CIDR (the first free one after the network)."""
    used: set[ipaddress.IPv4Address] = set()
    out: dict[str, str] = {}
    for cidr in cidrs:
        if cidr in out:
            continue
        net = ipaddress.IPv4Network(cidr, strict=False)
        first = int(net.network_address) + (1 if net.num_addresses > 2 else 0)
        last = int(net.broadcast_address) - (1 if net.num_addresses > 2 else 0)
        for n in range(first, min(last, first + 255) + 1):  # bounded search
            addr = ipaddress.IPv4Address(n)
            if addr not in used:
                used.add(addr)
                out[cidr] = str(addr)
                break
        else:
            raise ValueError(f"no free host address left in {cidr} for the rehearsal")
    return out


def _run(argv: Sequence[str], *, timeout: float = 10.0, check: bool = True,
         env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    proc = subprocess.run(list(argv), capture_output=True, text=True, timeout=timeout,
                          check=False, env=env)
    if check and proc.returncode != 0:
        raise RuntimeError(f"{' '.join(argv[:6])} failed ({proc.returncode}): "
                           f"{(proc.stderr or proc.stdout).strip()[:300]}")
    return proc


def _batch(ns: str | None, commands: Sequence[str]) -> None:
    """Run ``ip`` commands in one process (in namespace ``ns``); stops at the first error."""
    argv = ["ip", *(["-n", ns] if ns else []), "-batch", "-"]
    proc = subprocess.run(argv, input="\n".join(commands) + "\n", capture_output=True,
                          text=True, timeout=10.0, check=False)
    if proc.returncode != 0:
        raise RuntimeError(f"ip -batch{' in ' + ns if ns else ''} failed: "
                           f"{(proc.stderr or proc.stdout).strip()[:300]}")


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def sweep_stale() -> list[str]:
    """Clean up after a rehearsal process that was killed outright (``kill -9``).

    Its namespaces (``vkr-<pid>-*``), its charons (found by the ``STRONGSWAN_CONF`` in their
    environment, which names the lab, and stopped by PID) and its work directory are removed,
    but only when that process ``<pid>`` no longer exists. Returns what was removed.
    """
    removed = []
    out = _run(["ip", "netns", "list"], check=False).stdout
    for line in out.splitlines():
        name = line.split()[0] if line.split() else ""
        parts = name.split("-")
        if len(parts) == 4 and parts[0] == "vkr" and parts[1].isdigit() \
                and not _pid_alive(int(parts[1])):
            _run(["ip", "netns", "del", name], check=False)
            removed.append(name)
    tmp = Path(tempfile.gettempdir())
    stale = re.compile(rb"STRONGSWAN_CONF=" + re.escape(str(tmp).encode())
                       + rb"/vkr-(\d+)-\d+-")
    for environ in Path("/proc").glob("[0-9]*/environ"):
        try:
            m = stale.search(environ.read_bytes())
        except OSError:
            continue
        if m and not _pid_alive(int(m.group(1))):
            with contextlib.suppress(OSError):
                os.kill(int(environ.parent.name), signal.SIGKILL)
                removed.append(f"charon {environ.parent.name}")
    for work in tmp.glob("vkr-*-*-*"):
        parts = work.name.split("-")
        if work.is_dir() and parts[1].isdigit() and not _pid_alive(int(parts[1])):
            shutil.rmtree(work, ignore_errors=True)
            removed.append(str(work))
    return removed


@dataclass
class Side:
    """One end of the lab: its namespace, gateway address, protected addresses and daemon."""

    name: str
    ns: str
    gateway_ip: str
    addresses: dict[str, str]  # protected CIDR -> the host address put on the bridge
    workdir: Path
    pid: int | None = None
    log_path: Path = field(init=False)

    def __post_init__(self) -> None:
        self.log_path = self.workdir / "charon.log"

    @property
    def conf(self) -> Path:
        return self.workdir / "strongswan.conf"

    @property
    def uri(self) -> str:
        return f"unix://{self.workdir / 'charon.vici'}"

    def swanctl(self, *args: str, timeout: float = 10.0) -> tuple[int, str]:
        """Run ``swanctl ARGS`` against this side's daemon: (exit code, output)."""
        env = {**os.environ, "STRONGSWAN_CONF": str(self.conf)}
        try:
            proc = _run(["swanctl", *args, "--uri", self.uri], timeout=timeout, check=False,
                        env=env)
        except subprocess.TimeoutExpired:
            return 124, f"swanctl {args[0]} timed out after {timeout:g} s"
        text = "\n".join(line for line in (proc.stdout + proc.stderr).splitlines()
                         if "failed to load -" not in line
                         and not line.startswith("opening directory"))
        return proc.returncode, text

    def load(self, swanctl_conf: str) -> str:
        """Write ``swanctl.conf`` (mode 0600) and load it; RuntimeError with swanctl's words."""
        path = self.workdir / "swanctl.conf"
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as fh:
            fh.write(swanctl_conf)
        code, out = self.swanctl("--load-all", "--noprompt", "--file", str(path))
        if code != 0:
            lines = out.splitlines()
            why = [line for line in lines if "failed" in line] or lines[-3:]
            raise RuntimeError(f"the {self.name} side's swanctl.conf did not load: "
                               + " / ".join(why[:3]))
        return out

    def log_size(self) -> int:
        try:
            return self.log_path.stat().st_size
        except FileNotFoundError:
            return 0

    def log(self, start: int = 0) -> str:
        """The daemon's log from byte ``start``."""
        try:
            with open(self.log_path, "rb") as fh:
                fh.seek(start)
                return fh.read().decode("utf-8", "replace")
        except FileNotFoundError:
            return ""

    def exec(self, argv: Sequence[str]) -> list[str]:
        """``argv`` prefixed to run inside this side's network namespace."""
        return ["ip", "netns", "exec", self.ns, *argv]


_STRONGSWAN_CONF = """\
charon {{
  load_modular = no
  load = {plugins}
  install_virtual_ip = no
  routing_table = {table}
  routing_table_prio = {table}
  # Tencent offers IKEv1 aggressive mode with a PSK; strongSwan refuses it unless told
  i_dont_care_about_security_and_use_aggressive_mode_psk = yes
  retransmit_timeout = {retransmit_timeout}
  retransmit_base = 1.4
  retransmit_tries = 2
  plugins {{
    vici {{
      socket = {uri}
    }}
  }}
  filelog {{
    rehearsal {{
      path = {log}
      time_format = %H:%M:%S
      flush_line = yes
      default = 1
      cfg = 2
      ike = 2
      knl = 1
    }}
  }}
}}
swanctl {{
  load = pem pkcs1 x509 pubkey openssl random
}}
"""


class Lab:
    """Context manager: two namespaces, a veth pair, bridges, a charon on each side.

    ``tencent_ranges``/``idc_ranges`` are the protected CIDRs on each side; one host address of
    each is put on that side's bridge (see :func:`host_addresses`). ``routes`` (route-based
    labs) maps a side's name ("tencent", "idc") to the destinations it routes into its
    libipsec TUN device; charon's own routes are then unhooked (see the module docstring).
    """

    def __init__(self, tencent_ranges: Sequence[str], idc_ranges: Sequence[str], *,
                 tencent_ip: str = "203.0.113.1", idc_ip: str = "203.0.113.2",
                 retransmit_timeout: float = 0.5,
                 start_timeout: float = 5.0,
                 routes: Mapping[str, Sequence[str]] | None = None) -> None:
        self.tencent_ranges = list(dict.fromkeys(tencent_ranges))
        self.idc_ranges = list(dict.fromkeys(idc_ranges))
        self.tencent_ip, self.idc_ip = tencent_ip, idc_ip
        self.retransmit_timeout = retransmit_timeout
        self.start_timeout = start_timeout
        self.routes = {k: list(dict.fromkeys(v)) for k, v in routes.items()} \
            if routes is not None else None
        self.seq = next(_counter)
        self.tag = f"vkr-{os.getpid()}-{self.seq}"
        self.workdir: Path | None = None
        self.sides: list[Side] = []
        self._namespaces: list[str] = []
        self._links: list[str] = []
        self._procs: list[subprocess.Popen[bytes]] = []
        self._old_handlers: dict[int, Any] = {}

    # -- context manager ------------------------------------------------------------------
    def __enter__(self) -> Lab:
        missing = requirements()
        if missing:
            raise LabUnavailable("cannot rehearse here: " + "; ".join(missing)
                                 + f". Install: {INSTALL_HINT}")
        self._trap_signals()
        try:
            sweep_stale()
            self._build()
        except BaseException:
            self.close()
            raise
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def tencent(self) -> Side:
        return self.sides[0]

    @property
    def idc(self) -> Side:
        return self.sides[1]

    # -- building -------------------------------------------------------------------------
    def _build(self) -> None:
        self.workdir = Path(tempfile.mkdtemp(prefix=f"{self.tag}-"))
        os.chmod(self.workdir, 0o700)
        tencent_addrs = host_addresses(self.tencent_ranges)
        idc_addrs = host_addresses(self.idc_ranges)
        for letter, name, ip, addrs in (("t", "tencent", self.tencent_ip, tencent_addrs),
                                        ("i", "idc", self.idc_ip, idc_addrs)):
            ns = f"{self.tag}-{letter}"
            self._namespaces.append(ns)  # before it exists: close() deletes what is there
            wd = self.workdir / name
            wd.mkdir(mode=0o700)
            self.sides.append(Side(name, ns, ip, addrs, wd))
        t, i = self.sides
        # veth names live briefly in the host namespace: short, unique per lab
        base = f"vk{os.getpid() % 100000}x{self.seq}"[:14]
        ta, ia = f"{base}t", f"{base}i"
        self._links.append(ta)
        # one `ip -batch` per namespace instead of ~26 processes (half the lab's start time)
        _batch(None, [f"netns add {t.ns}", f"netns add {i.ns}",
                      f"link add {ta} type veth peer name {ia}",
                      f"link set {ta} netns {t.ns}", f"link set {ia} netns {i.ns}"])
        self._links.clear()  # both ends moved: they go with the namespaces
        for side, link, peer in ((t, ta, i), (i, ia, t)):
            _batch(side.ns, [
                "link set lo up",
                # /32 plus a host route: the two gateway addresses need not share a subnet
                f"addr add {side.gateway_ip}/32 dev {link}", f"link set {link} up",
                f"route add {peer.gateway_ip}/32 dev {link}",
                # the protected ranges live on a bridge (this kernel has no dummy link type)
                "link add lan type bridge",
                *(f"addr add {a}/32 dev lan" for a in dict.fromkeys(side.addresses.values())),
                "link set lan up"])
        for side in self.sides:
            self._start(side)
        deadline = time.monotonic() + self.start_timeout
        for side in self.sides:
            sock = side.workdir / "charon.vici"
            while not sock.exists():
                if time.monotonic() > deadline:
                    raise RuntimeError(f"charon on the {side.name} side did not open its vici "
                                       f"socket within {self.start_timeout:g} s: "
                                       + side.log()[-500:])
                if self._procs and any(p.poll() is not None for p in self._procs):
                    raise RuntimeError(f"charon on the {side.name} side exited: "
                                       + side.log()[-500:])
                time.sleep(0.02)
        if self.routes is not None:
            for side in self.sides:
                # the rule charon added at start (kernel-netlink, before vici opens its socket)
                _batch(side.ns, [f"rule del table {ROUTING_TABLE}",
                                 *(f"route add {cidr} dev {TUN}"
                                   for cidr in self.routes.get(side.name, ()))])

    def _start(self, side: Side) -> None:
        side.conf.write_text(_STRONGSWAN_CONF.format(
            plugins=PLUGINS, uri=side.uri, log=side.log_path, table=ROUTING_TABLE,
            retransmit_timeout=self.retransmit_timeout))
        lower = _charon_source()
        script = "mount -t tmpfs none /run"
        if lower is not None:
            script += (f" && mount -t overlay overlay -o lowerdir={lower}:{IPSEC_DIR} "
                       f"{IPSEC_DIR}")
        script += f" && exec {IPSEC_DIR}/charon"
        env = {"PATH": "/usr/sbin:/usr/bin:/sbin:/bin", "STRONGSWAN_CONF": str(side.conf)}
        with open(side.workdir / "charon.out", "wb") as out:
            # ip netns exec, unshare (no --fork) and sh's exec all replace themselves: the PID
            # is charon's. A session of its own: a terminal's Ctrl-C reaches us, not charon.
            proc = subprocess.Popen(side.exec(["unshare", "-m", "--propagation", "private",
                                               "sh", "-c", script]),
                                    stdin=subprocess.DEVNULL, stdout=out, stderr=out, env=env,
                                    start_new_session=True)
        self._procs.append(proc)
        side.pid = proc.pid

    # -- running things in the lab ---------------------------------------------------------
    def spawn(self, side: Side, argv: Sequence[str]) -> subprocess.Popen[str]:
        """Start ``argv`` inside ``side``'s namespace; stopped by PID on close if still alive."""
        proc = subprocess.Popen(side.exec(argv), stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, text=True, start_new_session=True)
        self._procs.append(proc)  # type: ignore[arg-type]
        return proc

    # -- teardown ---------------------------------------------------------------------------
    def close(self) -> None:
        """Stop every process by PID (TERM, then KILL), delete namespaces and the work dir.

        A second Ctrl-C, SIGTERM or SIGHUP while this runs is ignored: cleanup finishes.
        """
        held = self._hold_signals()
        try:
            for proc in reversed(self._procs):
                if proc.poll() is None:
                    with contextlib.suppress(ProcessLookupError):
                        proc.terminate()
            deadline = time.monotonic() + 3.0
            for proc in reversed(self._procs):
                try:
                    proc.wait(timeout=max(0.05, deadline - time.monotonic()))
                except subprocess.TimeoutExpired:
                    proc.kill()
                    with contextlib.suppress(subprocess.TimeoutExpired):
                        proc.wait(timeout=2.0)
            for proc in self._procs:
                for stream in (proc.stdin, proc.stdout, proc.stderr):
                    if stream is not None:
                        stream.close()
            self._procs.clear()
            for ns in self._namespaces:
                _run(["ip", "netns", "del", ns], check=False)
            self._namespaces.clear()
            for link in self._links:  # only if it never left the host namespace
                _run(["ip", "link", "del", link], check=False)
            self._links.clear()
            if self.workdir is not None:
                shutil.rmtree(self.workdir, ignore_errors=True)
                self.workdir = None
        finally:
            for sig, handler in held.items():
                signal.signal(sig, handler)
            self._restore_signals()

    def _trap_signals(self) -> None:
        """SIGTERM/SIGHUP become an exception while the lab is up, so ``finally`` cleans up."""
        if sys.platform == "win32":  # pragma: no cover
            return
        import threading

        if threading.current_thread() is not threading.main_thread():
            return

        def raise_exit(signum: int, frame: FrameType | None) -> None:
            raise KeyboardInterrupt(f"signal {signum}")

        for sig in (signal.SIGTERM, signal.SIGHUP):
            self._old_handlers[sig] = signal.signal(sig, raise_exit)

    @staticmethod
    def _hold_signals() -> dict[int, Any]:
        """Ignore SIGINT/SIGTERM/SIGHUP (main thread only); the previous handlers."""
        import threading

        if threading.current_thread() is not threading.main_thread():
            return {}
        return {sig: signal.signal(sig, signal.SIG_IGN)
                for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)}

    def _restore_signals(self) -> None:
        for sig, handler in self._old_handlers.items():
            signal.signal(sig, handler)
        self._old_handlers.clear()

