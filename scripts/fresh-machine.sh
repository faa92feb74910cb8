#!/usr/bin/env bash
# Proves the two commands on a fresh machine without trusting this one.
#
#   sudo scripts/fresh-machine.sh [--keep] [--root DIR] [--reuse]
#
# Builds a minimal Debian 12 root with debootstrap (minbase plus python3, make,
# git, ca-certificates, curl and sudo: what a new user starts from), clones this
# repository into it (the committed HEAD: uncommitted changes are not tested),
# then inside it, as root and with a clean environment, runs `make run` until
# the login page answers on 127.0.0.1, stops it, runs `make test`, and prints
# how long each took and pytest's summary line. It cleans up after itself:
# servers stopped, file systems unmounted, the root removed (--keep leaves it for
# a look inside: `sudo chroot DIR`). The logs stay in a folder it names.
#
# The Debian mirror is read from this machine's apt sources, or from $MIRROR
# (and $SECURITY_MIRROR); pip inside the root uses its own default index. The
# only traffic is to those registries and to loopback.
#
#   --root DIR  where to build the root (default: a new folder under /var/tmp)
#   --keep      do not remove the root at the end
#   --reuse     use an existing --root as it is instead of debootstrapping
#               (for debugging the later steps; not a fresh-machine result)
# Time limits: debootstrap 20 min, `make run` 20 min, `make test` 60 min.
set -euo pipefail

keep=0
reuse=0
root=""
while [ $# -gt 0 ]; do
    case "$1" in
        --keep) keep=1 ;;
        --reuse) reuse=1 ;;
        --root) root=$2; shift ;;
        -h|--help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
        *) echo "unknown argument: $1 (see --help)" >&2; exit 2 ;;
    esac
    shift
done

[ "$(id -u)" -eq 0 ] || { echo "run as root: sudo $0" >&2; exit 1; }
repo=$(git -C "$(dirname "$0")" rev-parse --show-toplevel)
commit=$(git -C "$repo" rev-parse HEAD)
stamp=$(date -u +%Y%m%dT%H%M%SZ)
logs=/var/tmp/fresh-machine-$stamp
mkdir -p "$logs"
[ -n "$root" ] || root=/var/tmp/fresh-machine-$stamp/root
root=$(realpath -m "$root")
[ "$root" != / ] || { echo "refusing to use / as the root" >&2; exit 2; }
say() { echo "[fresh-machine $(date -u +%H:%M:%S)] $*"; }

# --- the Debian mirror, from this machine's apt sources ---------------------
# Prints "URI SUITE" for each deb source: one-line *.list files and deb822
# *.sources files alike.
apt_sources() {
    local f
    for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
        [ -r "$f" ] || continue
        awk '$1 == "deb" { sub(/^deb +(\[[^]]*\] +)?/, ""); print $1, $2 }' "$f"
    done
    for f in /etc/apt/sources.list.d/*.sources; do
        [ -r "$f" ] || continue
        awk 'function flush() { if (deb && uris != "") { n = split(uris, u, " "); m = split(suites, s, " ");
                                  for (i = 1; i <= n; i++) for (j = 1; j <= m; j++) print u[i], s[j] }
                                deb = 0; uris = ""; suites = "" }
             /^[[:space:]]*$/ { flush(); next }
             /^Types:/ { deb = ($0 ~ /[[:space:]]deb([[:space:]]|$)/) }
             /^URIs:/ { sub(/^URIs:[[:space:]]*/, ""); uris = $0 }
             /^Suites:/ { sub(/^Suites:[[:space:]]*/, ""); suites = $0 }
             END { flush() }' "$f"
    done
}
mirror=${MIRROR:-$(apt_sources | awk '$2 ~ /^(bookworm|stable)$/ { print $1; exit }')}
security=${SECURITY_MIRROR:-$(apt_sources | awk '$2 ~ /^(bookworm|stable)-security$/ { print $1; exit }')}
if [ -z "$mirror" ]; then
    echo "no Debian 12 (bookworm) source in this machine's apt sources: set MIRROR=<Debian mirror URL>" >&2
    exit 1
fi

# --- cleanup, whatever happens ------------------------------------------------
mounts=()
inside_pids() {   # processes running inside the root (all started by this script)
    local p
    for p in /proc/[0-9]*; do
        [ "$(readlink "$p/root" 2>/dev/null)" = "$root" ] && echo "${p#/proc/}"
    done
    return 0
}
cleanup() {
    local status=$? pids i
    trap - EXIT INT TERM
    pids=$(inside_pids)
    if [ -n "$pids" ]; then
        kill -TERM $pids 2>/dev/null || true
        sleep 2
        pids=$(inside_pids)
        [ -z "$pids" ] || kill -KILL $pids 2>/dev/null || true
        sleep 0.5
    fi
    for ((i = ${#mounts[@]} - 1; i >= 0; i--)); do
        umount "${mounts[i]}" 2>/dev/null || umount -l "${mounts[i]}" 2>/dev/null || true
    done
    if [ "$keep" = 1 ] || [ "$reuse" = 1 ]; then
        say "root kept: $root (sudo chroot $root)"
    elif [ -d "$root" ]; then
        if grep -q " $root/" /proc/mounts; then
            say "something is still mounted under $root: not removing it"
        else
            rm -rf --one-file-system "$root"
        fi
    fi
    say "logs: $logs"
    exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# --- the root -----------------------------------------------------------------
if [ "$reuse" = 1 ]; then
    [ -x "$root/bin/bash" ] || { echo "--reuse: no root at $root" >&2; exit 2; }
    say "REUSING $root: this is not a fresh-machine result"
else
    [ ! -e "$root" ] || [ -z "$(ls -A "$root")" ] || { echo "$root exists and is not empty" >&2; exit 2; }
    command -v debootstrap >/dev/null || {
        say "installing debootstrap on this machine"
        apt-get install -y -qq debootstrap >/dev/null
    }
    say "debootstrap Debian 12 (minbase) into $root"
    t0=$SECONDS
    timeout 1200 debootstrap --variant=minbase --include=python3,make,git,ca-certificates,curl,sudo \
        bookworm "$root" "$mirror" >"$logs/debootstrap.log" 2>&1 \
        || { tail -20 "$logs/debootstrap.log"; exit 1; }
    t_debootstrap=$((SECONDS - t0))
fi
{
    echo "deb $mirror bookworm main"
    echo "deb $mirror bookworm-updates main"
    [ -z "$security" ] || echo "deb $security bookworm-security main"
} >"$root/etc/apt/sources.list"
# A chroot shares this machine's network and has no init: package scripts must
# not start system services (redis, PostgreSQL) in it. The tests start their
# own servers on free ports.
printf '#!/bin/sh\nexit 101\n' >"$root/usr/sbin/policy-rc.d"
chmod 755 "$root/usr/sbin/policy-rc.d"
cp -L /etc/resolv.conf "$root/etc/resolv.conf"
# A network that inspects TLS needs its certificate authority: this machine's own
# (/usr/local/share/ca-certificates) are trusted in the root too, and pip, which
# otherwise trusts only its bundled list, is pointed at the system's.
extra_env=()
if compgen -G '/usr/local/share/ca-certificates/*.crt' >/dev/null; then
    mkdir -p "$root/usr/local/share/ca-certificates"
    cp /usr/local/share/ca-certificates/*.crt "$root/usr/local/share/ca-certificates/"
    chroot "$root" update-ca-certificates >/dev/null 2>&1
    extra_env=(PIP_CERT=/etc/ssl/certs/ca-certificates.crt)
fi

mount_in() {   # mount_in TARGET mount-arguments...
    local target=$root$1
    shift
    mkdir -p "$target"
    mount "$@" "$target"
    mounts+=("$target")
    mount --make-private "$target"
}
mount_in /proc -t proc proc
mount_in /sys -t sysfs sysfs
mount_in /dev --bind /dev
mount_in /dev/pts --bind /dev/pts
mount_in /dev/shm -t tmpfs -o mode=1777,nosuid,nodev shm

# --- the repository -----------------------------------------------------------
rm -rf "$root/root/portal"
git clone -q --no-hardlinks "$repo" "$root/root/portal"
git -C "$root/root/portal" checkout -q "$commit"
say "cloned $repo at $(git -C "$repo" log -1 --format='%h %s' | cut -c1-70)"

# Runs a command inside the root as root, in a clean environment as a new login
# would have it (nothing of this machine's PIP_*, proxies or paths but the CA bundle above).
inside() {
    chroot "$root" /usr/bin/env -i HOME=/root USER=root LOGNAME=root SHELL=/bin/bash TERM=dumb \
        PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin "${extra_env[@]}" \
        /bin/bash -c "cd /root/portal && $1"
}

# --- make run, until the login page answers ------------------------------------
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
say "make run (PORT=$port) until http://127.0.0.1:$port/login answers"
t0=$SECONDS
rm -f "$root/tmp/make-run.pid"
# In a session of its own, so that stopping it stops the server it started too.
inside "echo \$\$ >/tmp/make-run.pid; exec setsid make run PORT=$port" >"$logs/make-run.log" 2>&1 &
run_pid=$!
served=0
while [ $((SECONDS - t0)) -lt 1200 ] && kill -0 "$run_pid" 2>/dev/null; do
    page=$(curl -fsS --max-time 5 "http://127.0.0.1:$port/login" 2>/dev/null || true)
    if grep -q 'name="password"' <<<"$page"; then
        served=1
        break
    fi
    sleep 1
done
t_run=$((SECONDS - t0))
# make run serves until stopped: stop its session (make and the server).
[ ! -s "$root/tmp/make-run.pid" ] || kill -TERM -- "-$(cat "$root/tmp/make-run.pid")" 2>/dev/null || true
for _ in $(seq 30); do kill -0 "$run_pid" 2>/dev/null || break; sleep 0.5; done
left=$(inside_pids)
[ -z "$left" ] || { kill -KILL $left 2>/dev/null || true; sleep 0.5; }
wait "$run_pid" 2>/dev/null || true
if [ "$served" != 1 ]; then
    say "make run did not serve the login page within ${t_run}s; the end of its log:"
    tail -30 "$logs/make-run.log"
    exit 1
fi
say "make run: the login page answered after ${t_run}s"

# --- make test ----------------------------------------------------------------
say "make test"
t0=$SECONDS
status=0
inside "timeout 3600 make test" >"$logs/make-test.log" 2>&1 || status=$?
t_test=$((SECONDS - t0))
summary=$(grep -E '^=+ .*(passed|failed|error).* in [0-9.]+s' "$logs/make-test.log" | tail -1 || true)

cores=$(nproc)
{
    echo
    echo "fresh-machine result, $(date -u '+%Y-%m-%d %H:%M UTC'), commit ${commit:0:10}"
    echo "  machine:     $cores cores, $(awk '/MemTotal/ { printf "%.0f GiB", $2 / 1048576 }' /proc/meminfo)," \
         "Debian 12 minbase root$([ "$reuse" = 1 ] && echo " (REUSED, not fresh)")"
    [ -z "${t_debootstrap:-}" ] || echo "  debootstrap: ${t_debootstrap} s"
    echo "  make run:    ${t_run} s until the login page answered"
    echo "  make test:   ${t_test} s, exit status $status"
    echo "  pytest:      ${summary:-no summary line (see make-test.log)}"
} | tee "$logs/result.txt"
if [ "$status" != 0 ]; then
    echo "the end of make test's log:"
    grep -E '^(FAILED|ERROR) ' "$logs/make-test.log" | head -20 || true
    tail -15 "$logs/make-test.log"
fi
exit "$status"
