#!/usr/bin/env bash
# Installs the Debian/Ubuntu packages the portal needs, only those missing.
#   run:  headers that python-ldap compiles against
#   test: plus the real servers and browser the test suite starts (slapd,
#         redis-server, PostgreSQL server binaries, Chromium, and a CJK font
#         so that screenshots of failed browser tests show Chinese), and
#         LibreOffice Writer (headless, ~30 s) that converts the circular DOCX
set -euo pipefail
want=(libldap2-dev libsasl2-dev)
if [ "${1:-run}" = test ]; then
    want+=(slapd ldap-utils redis-server chromium fonts-wqy-microhei libreoffice-writer-nogui)
    ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || want+=(postgresql)
fi
missing=()
for p in "${want[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0
echo "installing system packages: ${missing[*]}"
sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
# slapd must not create a system directory of its own: the tests run their own.
echo "slapd slapd/no_configuration boolean true" | $sudo debconf-set-selections
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
