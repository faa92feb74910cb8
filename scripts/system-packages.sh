#!/usr/bin/env bash
# Installs the Debian 12 / Ubuntu 24.04 packages that `make run` and `make test`
# need, only those missing. On a machine that has them all it prints nothing and
# takes a few milliseconds (one dpkg-query).
#   run:  python3-venv (`python3 -m venv` needs it), a C compiler, the Python
#         headers and the LDAP/SASL headers python-ldap compiles against (it has
#         no wheel), the time-zone data and CA certificates
#   test: plus the real servers and browser the test suite starts (slapd and
#         ldap-utils, redis-server, the PostgreSQL server binaries, Chromium) and
#         a CJK font, so that pages and screenshots in the browser show Chinese,
#         and LibreOffice Writer (headless) that converts the circular DOCX to the
#         PDF its tests read, poppler-utils (pdftoppm, pdftotext) to look at that
#         PDF, and wrk, the HTTP load generator of `make load`
# `scripts/fresh-machine.sh` proves the list on a minimal Debian 12.
set -euo pipefail
mode=${1:-run}
id=debian
[ -r /etc/os-release ] && id=$(. /etc/os-release && echo "${ID:-debian}")

want=(python3-venv python3-dev gcc libc6-dev libldap-dev libsasl2-dev tzdata ca-certificates)
if [ "$mode" = test ]; then
    want+=(slapd ldap-utils redis-server fonts-wqy-microhei libreoffice-writer-nogui poppler-utils wrk)
    # Any PostgreSQL server version will do (Debian 12 has 15, Ubuntu 24.04 16).
    compgen -G '/usr/lib/postgresql/*/bin/initdb' >/dev/null || want+=(postgresql)
    # The browser tests drive /usr/bin/chromium. Ubuntu ships Chromium only as
    # a snap, installed through its chromium-browser package.
    if [ "$id" = ubuntu ]; then
        command -v chromium >/dev/null || want+=(chromium-browser)
    else
        want+=(chromium)
    fi
fi

installed=$(dpkg-query -W -f='${Package} ${db:Status-Status}\n' "${want[@]}" 2>/dev/null \
            | awk '$2 == "installed" { print $1 }' || true)
missing=()
for p in "${want[@]}"; do
    grep -qxF "$p" <<<"$installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

echo "installing system packages: ${missing[*]}"
sudo=()
if [ "$(id -u)" -ne 0 ]; then
    command -v sudo >/dev/null || { echo "run as root, or install sudo, to install them" >&2; exit 1; }
    sudo=(sudo)
fi
# slapd must not create a system directory of its own: the tests run their own.
echo "slapd slapd/no_configuration boolean true" | "${sudo[@]}" debconf-set-selections
"${sudo[@]}" apt-get update -qq
"${sudo[@]}" env DEBIAN_FRONTEND=noninteractive \
    apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
