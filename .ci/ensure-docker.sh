#!/usr/bin/env bash
# Gives this machine a working Docker engine and the local Python base image, when it has none.
#
# The project's machines (developers' and CI's) are Debian 12 VMs where we are root: they ship a docker
# client but no engine, and Docker Hub is unreachable (only Debian's mirror, PyPI and npm are). So:
#   1. if `docker info` already answers, the engine is left alone; otherwise docker.io is installed from
#      Debian and dockerd is started in the background with no bridge and no iptables rules (containers
#      use the host network and reach the emulator on 127.0.0.1, never another address);
#   2. the base image local/python-base:3.11-bookworm (bookworm's python3 is 3.11, like Airbyte's
#      python-connector-base:4.0.2) is made with debootstrap from Debian packages, unless it exists.
# Idempotent: running it again on a ready machine only checks and returns. See
# ../shared/docs/docker-local.md for the recipe this follows.
#
# Environment (all optional): LOCAL_BASE_IMAGE, DOCKER_LOCAL_DATA_ROOT, DEBIAN_MIRROR.
set -euo pipefail

BASE_IMAGE=${LOCAL_BASE_IMAGE:-local/python-base:3.11-bookworm}
DATA_ROOT=${DOCKER_LOCAL_DATA_ROOT:-/var/lib/docker-local}
MIRROR=${DEBIAN_MIRROR:-http://deb.debian.org/debian}
PIDFILE=/var/run/dockerd-local.pid
LOG=/var/log/dockerd-local.log
HOST_CA_BUNDLE=/etc/ssl/certs/ca-certificates.crt
ENGINE_WAIT_SECONDS=90

say() { echo "ensure-docker: $*" >&2; }
die() { say "ERROR: $*"; exit 1; }

# Every step reports how long it took; the summary at the end repeats the figures.
TIMINGS=()
timed() {
    local name=$1; shift
    local start end
    start=$(date +%s.%N)
    "$@"
    end=$(date +%s.%N)
    local secs
    secs=$(awk -v a="$start" -v b="$end" 'BEGIN { printf "%.1f", b - a }')
    TIMINGS+=("$name: ${secs} s")
    say "$name took ${secs} s"
}

engine_answers() { command -v docker >/dev/null 2>&1 && docker info >/dev/null 2>&1; }

require_root_on_debian() {
    [[ $(id -u) -eq 0 ]] || die "not root: cannot install or start a Docker engine (run as root, or start one yourself)"
    [[ -r /etc/debian_version ]] || die "not Debian: install a Docker engine by your platform's means"
}

# Stops services from starting during apt-get install: docker.io's maintainer scripts would otherwise try
# to start dockerd with its defaults (a docker0 bridge on a private range and iptables rules).
with_services_blocked() {
    local policy=/usr/sbin/policy-rc.d created=""
    if [[ ! -e $policy ]]; then
        printf '#!/bin/sh\nexit 101\n' >"$policy"
        chmod 755 "$policy"
        created=yes
    fi
    local rc=0
    "$@" || rc=$?
    [[ -n $created ]] && rm -f "$policy"
    return "$rc"
}

apt_install() {
    local missing=()
    local pkg
    for pkg in "$@"; do
        dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed' || missing+=("$pkg")
    done
    if [[ ${#missing[@]} -eq 0 ]]; then
        say "already installed: $*"
        return 0
    fi
    say "apt-get install ${missing[*]}"
    apt-get update -qq
    with_services_blocked env DEBIAN_FRONTEND=noninteractive NEEDRESTART_SUSPEND=1 \
        apt-get install -y -qq "${missing[@]}" >/dev/null
}

dockerd_alive() { [[ -s $PIDFILE ]] && kill -0 "$(cat "$PIDFILE")" 2>/dev/null; }

start_engine() {
    if dockerd_alive; then
        say "dockerd (pid $(cat "$PIDFILE")) is already starting; waiting for it"
    else
        mkdir -p "$DATA_ROOT"
        # setsid: the daemon outlives this script and the shell that ran it. --pidfile records its pid
        # (stop it with: kill "$(cat $PIDFILE)").
        setsid dockerd --host unix:///var/run/docker.sock --pidfile "$PIDFILE" \
            --data-root "$DATA_ROOT" --bridge=none --iptables=false --ip-masq=false \
            >>"$LOG" 2>&1 </dev/null &
        say "started dockerd (pid $!), log in $LOG"
    fi
    local waited=0
    until docker info >/dev/null 2>&1; do
        if ! dockerd_alive && (( waited > 5 )); then
            tail -n 20 "$LOG" >&2 || true
            die "dockerd exited; see $LOG"
        fi
        (( waited < ENGINE_WAIT_SECONDS )) || die "docker info did not answer within ${ENGINE_WAIT_SECONDS} s; see $LOG"
        sleep 1
        waited=$((waited + 1))
    done
}

make_base_image() {
    local rootfs
    rootfs=$(mktemp -d /var/tmp/python-base-rootfs.XXXXXX)
    # shellcheck disable=SC2064  # expand now: remove this very directory however the script ends
    trap "rm -rf '$rootfs'" EXIT
    debootstrap --variant=minbase --include=python3,python3-venv,python3-pip,ca-certificates \
        bookworm "$rootfs" "$MIRROR" >/dev/null
    # The host's TLS traffic to PyPI goes through a proxy whose CA is in the host bundle: pip inside
    # `docker build` needs it. The host's /etc/pip.conf is not copied: its file:// indexes don't exist there.
    cp "$HOST_CA_BUNDLE" "$rootfs/etc/ssl/certs/ca-certificates.crt"
    rm -rf "$rootfs"/var/cache/apt/archives/*.deb "$rootfs"/var/lib/apt/lists/*
    tar -C "$rootfs" -c . | docker import \
        -c "ENV PIP_CERT=/etc/ssl/certs/ca-certificates.crt" \
        -c "ENV LANG=C.UTF-8" \
        -c 'CMD ["/bin/bash"]' \
        - "$BASE_IMAGE" >/dev/null
    rm -rf "$rootfs"
    trap - EXIT
}

main() {
    if engine_answers; then
        say "a Docker engine already answers: leaving it alone"
    else
        require_root_on_debian
        if ! command -v dockerd >/dev/null 2>&1; then
            timed "install docker.io" apt_install docker.io
        fi
        timed "start engine" start_engine
    fi
    say "engine: $(docker version --format 'server {{.Server.Version}}, client {{.Client.Version}}')"

    if docker image inspect "$BASE_IMAGE" >/dev/null 2>&1; then
        say "base image $BASE_IMAGE exists"
    else
        require_root_on_debian
        command -v debootstrap >/dev/null 2>&1 || timed "install debootstrap" apt_install debootstrap
        timed "make base image $BASE_IMAGE" make_base_image
        docker run --rm --network host "$BASE_IMAGE" python3 --version >&2
    fi

    if [[ ${#TIMINGS[@]} -gt 0 ]]; then
        printf -v summary "%s; " "${TIMINGS[@]}"
        say "timings: ${summary%; }"
    fi
    say "ready"
}

main "$@"
