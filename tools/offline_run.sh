#!/bin/sh
# Run a command with no network but loopback, so the operating system (not only Python's guard in
# utils/offline.py) makes sure the course works offline. Jupyter kernels still start: they talk to
# the test process over 127.0.0.1, which stays up.
#
#   tools/offline_run.sh .venv/bin/python -m pytest notebooks
#
# Uses a fresh network namespace (`unshare -n`, needs root or unprivileged user namespaces, i.e.
# `unshare -rn`). Where neither is allowed (a container without the capability, macOS) it prints one
# line and runs the command as it is, still under the in-process guard.
if [ "$COURSE_NO_NETNS" = "1" ]; then
  exec "$@"
fi
if command -v unshare >/dev/null 2>&1 && command -v ip >/dev/null 2>&1; then
  for flags in "-n" "-rn"; do
    if unshare $flags sh -c 'ip link set lo up' >/dev/null 2>&1; then
      echo "offline: running in a network namespace with only loopback up (unshare $flags)"
      exec unshare $flags sh -c 'ip link set lo up && exec "$@"' offline_run "$@"
    fi
  done
fi
echo "offline: no network namespace on this machine (unshare -n not allowed); relying on the in-process guard only"
exec "$@"
