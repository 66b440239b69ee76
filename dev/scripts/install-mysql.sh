#!/usr/bin/env bash
# `npm run mysql:install`: fetches Oracle MySQL from Debian's unstable suite into a private, gitignored root (no system change).
#
# Debian bookworm ships only MariaDB; Debian's sid ships Oracle MySQL (mysql-server-core), built against a newer C
# library than bookworm's, so it is unpacked with its own libc into .cache/mysql/root and run through that root's
# loader (dev/mysql/serverBinary.ts knows how). Idempotent: a finished root is reused. Set MYSQL_CACHE_DIR to move it.
set -euo pipefail

here="$(cd "$(dirname "$0")/../.." && pwd)"
cache="${MYSQL_CACHE_DIR:-$here/.cache/mysql}"
root="$cache/root"
stamp="$root/.complete"
loader="$root/usr/lib64/ld-linux-x86-64.so.2"

say() { printf 'mysql:install: %s\n' "$*"; }
fail() { printf 'mysql:install: error: %s\n' "$*" >&2; exit 1; }

if [ -f "$stamp" ] && [ -x "$loader" ] && [ -x "$root/usr/sbin/mysqld" ]; then
  say "already installed: $(cat "$stamp") in $root"
  exit 0
fi

[ "$(uname -s)" = Linux ] || fail "this script fetches Debian packages and only works on Linux; elsewhere install MySQL 8.0+ and set MYSQLD_PATH (see the README)"
[ "$(uname -m)" = x86_64 ] || fail "only x86_64 is supported by this script; install MySQL 8.0+ and set MYSQLD_PATH"
command -v apt-get >/dev/null || fail "apt-get not found: this is not a Debian-family system; install MySQL 8.0+ and set MYSQLD_PATH"
command -v dpkg-deb >/dev/null || fail "dpkg-deb not found"

# The machine's own Debian mirror: the first URIs line of its deb822 sources, or the first deb line of sources.list.
mirror="${MYSQL_DEBIAN_MIRROR:-}"
if [ -z "$mirror" ]; then
  for f in /etc/apt/sources.list.d/*.sources; do
    [ -f "$f" ] || continue
    mirror="$(awk '/^URIs:/ { for (i = 2; i <= NF; i++) if ($i !~ /security/) { print $i; exit } }' "$f")"
    [ -n "$mirror" ] && break
  done
fi
if [ -z "$mirror" ] && [ -f /etc/apt/sources.list ]; then
  mirror="$(awk '$1 == "deb" && $0 !~ /security/ { for (i = 2; i <= NF; i++) if ($i ~ /^https?:/) { print $i; exit } }' /etc/apt/sources.list)"
fi
[ -n "$mirror" ] || fail "cannot find this machine's Debian mirror in /etc/apt; set MYSQL_DEBIAN_MIRROR"

mkdir -p "$cache"
work="$cache/apt"
rm -rf "$work" "$root.tmp"
mkdir -p "$work/lists/partial" "$work/cache/archives/partial" "$work/debs" "$root.tmp"
printf 'deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] %s sid main\n' "$mirror" >"$work/sources.list"
apt_opts=(
  -o "Dir::Etc::SourceList=$work/sources.list"
  -o "Dir::Etc::SourceParts=/dev/null"
  -o "Dir::State::Lists=$work/lists"
  -o "Dir::State::Status=/dev/null"
  -o "Dir::Cache=$work/cache"
  -o "Debug::NoLocking=1"
  -o "APT::Sandbox::User=$(id -un)"
  -o "APT::Architecture=amd64"
  -o "APT::Architectures=amd64"
)

say "reading Debian sid's package index from $mirror"
apt-get "${apt_opts[@]}" -q update >"$work/update.log" 2>&1 || { cat "$work/update.log" >&2; fail "apt-get update of Debian sid failed (is $mirror reachable?)"; }

say "resolving the dependencies of mysql-server-core and mysql-client-core"
# Keep package names only; leave out what only maintainer scripts need (perl, debconf, init systems).
mapfile -t packages < <(
  apt-cache "${apt_opts[@]}" depends --recurse --no-recommends --no-suggests --no-conflicts --no-breaks \
    --no-replaces --no-enhances --no-pre-depends mysql-server-core mysql-client-core 2>/dev/null |
    grep -E '^[a-z0-9][a-z0-9.+-]*$' |
    grep -vE '^(perl|perl-base|perl-modules-.*|libperl.*|debconf|debconf-2.0|cdebconf|systemd|systemd-.*|init-system-helpers|adduser|passwd|login|lsb-base|sysvinit-utils|dpkg|tar|coreutils|base-files|base-passwd|debianutils|libsystemd0|libselinux1|libpam.*|libaudit.*|libsemanage.*|libsepol.*|libcap-ng0|libpcre2-8-0|libbz2-1.0|liblzma5|libdebconfclient0|libacl1|libattr1|libmd0|libgcrypt20|libgpg-error0|libcrypt-dev|mawk|gawk|awk|sensible-utils|psmisc|procps|mysql-server-core-.*-dbgsym)$' |
    sort -u
)
[ "${#packages[@]}" -gt 0 ] || fail "apt-cache resolved no packages for mysql-server-core (does Debian sid still ship it?)"
say "downloading ${#packages[@]} packages: ${packages[*]}"
# One apt-get call fetches them in parallel and prints a "Get:N" line per package as it arrives.
(cd "$work/debs" && apt-get "${apt_opts[@]}" download "${packages[@]}" 2>&1 | tee "$work/download.log" | grep --line-buffered -E '^(Get|Err|E):' | sed -u 's/^/mysql:install: /') || true
for p in "${packages[@]}"; do
  compgen -G "$work/debs/${p}_*.deb" >/dev/null || { tail -5 "$work/download.log" >&2; fail "downloading the Debian package $p failed"; }
done

say "unpacking into $root"
for deb in "$work/debs"/*.deb; do dpkg-deb -x "$deb" "$root.tmp" || fail "unpacking $deb failed"; done
[ -x "$root.tmp/usr/lib64/ld-linux-x86-64.so.2" ] || fail "the unpacked root has no loader (libc6 missing from the list?)"
version="$("$root.tmp/usr/lib64/ld-linux-x86-64.so.2" --library-path "$root.tmp/usr/lib/x86_64-linux-gnu" \
  "$root.tmp/usr/sbin/mysqld" --no-defaults --version 2>&1)" || fail "the unpacked mysqld does not run: $version"
rm -rf "$root"
mv "$root.tmp" "$root"
version="${version##*/mysqld }"; version="${version# }"
printf '%s\n' "$version" >"$stamp"
rm -rf "$work/cache" "$work/lists"
say "installed: $version in $root"
