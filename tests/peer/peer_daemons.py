"""Load configurations into the real daemons: charon + ``swanctl --load-all``, Libreswan's
``addconn --checkconfig``. Each check skips with a reason when root or the packages are
missing, except under ``CI=true``, where that is a failure (the CI image installs them).

charon runs as the recipe ``shared/recipes/ipsec-netns`` does: own strongswan.conf with an
explicit plugin list, a private mount (and network) namespace with its own ``/run`` (no clash
with another charon's pid file), its own vici socket; stopped by PID. Debian's libreswan
conflicts with strongswan-charon; where charon is unpacked beside it under
``$VPNKIT_STRONGSWAN_ROOT`` (default ``/opt/vpnkit/strongswan``, as the rehearsal does) it is
overlaid on ``/usr/lib/ipsec`` inside that private namespace only.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import time
from pathlib import Path

import pytest

__all__ = ["libreswan_algparse", "libreswan_check", "need", "pluto_load", "swanctl_load"]

IPSEC_DIR = Path("/usr/lib/ipsec")
PRIVATE_ROOT = Path(os.environ.get("VPNKIT_STRONGSWAN_ROOT", "/opt/vpnkit/strongswan"))
PLUGINS = ("random nonce aes des sha1 sha2 md5 hmac gcm gmp openssl curve25519 pem pkcs1 "
           "x509 pubkey kdf socket-default kernel-libipsec kernel-netlink vici updown")


def need(*tools: str) -> None:
    """Skip (or fail under CI=true) unless root and every tool exists."""
    missing = [t for t in tools if not (Path(t).exists() if t.startswith("/") else
                                        shutil.which(t))]
    reason = ""
    if os.geteuid() != 0:
        reason = "needs root (charon/pluto bind UDP 500 and use netlink)"
    elif missing:
        reason = (f"missing {', '.join(missing)}: apt-get install -y --no-install-recommends "
                  "strongswan-charon strongswan-swanctl libcharon-extra-plugins "
                  "libstrongswan-standard-plugins libreswan")
    if reason:
        if os.environ.get("CI") == "true":
            pytest.fail(f"CI=true but {reason}")
        pytest.skip(reason)


def swanctl_load(conf: str, work: Path) -> str:
    """Start a private charon, ``swanctl --load-all`` ``conf``; return swanctl's output.

    Raises AssertionError with the output when anything was not loaded.
    """
    lower = PRIVATE_ROOT / "usr/lib/ipsec"
    charon = IPSEC_DIR / "charon"
    need(str(charon if charon.exists() or not (lower / "charon").exists() else lower / "charon"),
         "swanctl", "unshare")
    script = "mount -t tmpfs none /run"
    if not charon.exists():
        script += f" && mount -t overlay overlay -o lowerdir={lower}:{IPSEC_DIR} {IPSEC_DIR}"
    script += f" && exec {charon}"
    work.mkdir(parents=True, exist_ok=True)
    sock = work / "charon.vici"
    sock.unlink(missing_ok=True)
    sconf = work / "strongswan.conf"
    sconf.write_text(
        "charon {\n  load_modular = no\n"
        f"  load = {PLUGINS}\n"
        f"  plugins {{\n    vici {{\n      socket = unix://{sock}\n    }}\n  }}\n"
        "  port = 0\n  port_nat_t = 0\n}\n")
    (work / "swanctl.conf").write_text(conf)
    env = {**os.environ, "STRONGSWAN_CONF": str(sconf)}
    log = (work / "charon.log").open("w")
    proc = subprocess.Popen(
        ["unshare", "-m", "-n", "--propagation", "private", "sh", "-c", script],
        env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        for _ in range(100):
            if sock.exists() or proc.poll() is not None:
                break
            time.sleep(0.05)
        assert sock.exists(), f"charon did not start: {(work / 'charon.log').read_text()}"
        run = subprocess.run(
            ["swanctl", "--load-all", "--file", str(work / "swanctl.conf"), "--uri",
             f"unix://{sock}"], env=env, capture_output=True, text=True, timeout=20,
            check=False)
        text = "\n".join(line for line in (run.stdout + run.stderr).splitlines()
                          if "failed to load -" not in line
                          and not line.startswith("opening directory"))
        assert run.returncode == 0 and "failed" not in text.lower() \
            and "loaded connection" in text, text
        conns = subprocess.run(["swanctl", "--list-conns", "--uri", f"unix://{sock}"], env=env,
                               capture_output=True, text=True, timeout=20, check=False)
        return text + "\n" + conns.stdout
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=5)
        log.close()


def libreswan_check(conf: str, secrets: str, work: Path) -> str:
    """``ipsec addconn --checkconfig`` on ``conf`` (and a parse of every conn); return output."""
    need("ipsec")
    work.mkdir(parents=True, exist_ok=True)
    path = work / "ipsec.conf"
    sec = work / "ipsec.secrets"
    sec.write_text(secrets)
    path.write_text(f"config setup\n{conf}")
    run = subprocess.run(["ipsec", "addconn", "--checkconfig", "--config", str(path)],
                         capture_output=True, text=True, timeout=20, check=False)
    text = run.stdout + run.stderr
    assert run.returncode == 0 and not text.strip(), text
    listed = subprocess.run(["ipsec", "addconn", "--config", str(path), "--listall"],
                            capture_output=True, text=True, timeout=20, check=False)
    assert listed.returncode == 0, listed.stdout + listed.stderr
    return listed.stdout


def libreswan_algparse(version: int, kind: str, proposal: str, pfs: bool) -> str:
    """``ipsec algparse`` on one ``ike=``/``esp=`` proposal: Libreswan's own algorithm parser."""
    need("ipsec")
    argv = ["ipsec", "algparse", f"-v{version}", *(["-pfs"] if pfs else []),
            f"{kind}={proposal}"]
    run = subprocess.run(argv, capture_output=True, text=True, timeout=20, check=False)
    text = run.stdout + run.stderr
    assert run.returncode == 0 and "ERROR" not in text, text
    return text


def pluto_load(conf: str, secrets: str, work: Path, *, ikev1: bool = False) -> str:
    """Start a private pluto (own mount and network namespace, NSS db and /run), add every
    conn of ``conf`` with ``addconn --autoall``; return addconn's output and pluto's log.

    Raises AssertionError when addconn fails or warns, or a conn is not added.
    """
    need("ipsec", "unshare", "/usr/libexec/ipsec/pluto")
    work.mkdir(parents=True, exist_ok=True)
    setup = "config setup\n" + ("    ikev1-policy=accept\n" if ikev1 else "")
    (work / "ipsec.conf").write_text(setup + conf)
    (work / "ipsec.secrets").write_text(secrets)
    nss = work / "nss"
    nss.mkdir(exist_ok=True)
    subprocess.run(["ipsec", "initnss", "--nssdir", str(nss)], capture_output=True,
                   timeout=30, check=True)
    libexec = "/usr/libexec/ipsec"
    script = (
        "mount -t tmpfs none /run && mkdir -p /run/pluto && "
        f"{libexec}/pluto --nofork --stderrlog --config {work}/ipsec.conf --nssdir {nss} "
        f"--rundir /run/pluto --secretsfile {work}/ipsec.secrets >{work}/pluto.log 2>&1 & "
        "P=$!; for i in $(seq 100); do [ -S /run/pluto/pluto.ctl ] && break; sleep 0.05; done; "
        f"{libexec}/addconn --ctlsocket /run/pluto/pluto.ctl --config {work}/ipsec.conf "
        "--autoall; RC=$?; kill $P; wait $P; exit $RC")
    run = subprocess.run(["unshare", "-m", "-n", "--propagation", "private", "sh", "-c",
                          script], capture_output=True, text=True, timeout=60, check=False,
                         start_new_session=True)
    log = (work / "pluto.log").read_text()
    out = run.stdout + run.stderr
    assert run.returncode == 0 and "warning" not in out.lower(), out + log
    return out + log
