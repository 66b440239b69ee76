#!/usr/bin/env bash
# `npm run bicep:install`: restores the Bicep CLI (self-contained Linux binary) from NuGet into a private, gitignored tool folder.
#
# NuGet serves the CLI as package Azure.Bicep.CommandLine.linux-x64; a throwaway project with a PackageDownload item
# restores it into .cache/bicep/packages with the machine's own NuGet configuration (no az CLI, no other download).
# Idempotent: a finished install is reused. BICEP_VERSION picks another version, BICEP_CACHE_DIR another folder.
# Prints the binary's path on stdout (progress goes to stderr). BICEP_INSTALL_OFFLINE=1 only looks: tests use it to
# find the binary and fail, rather than restore, when it is missing.
set -euo pipefail

here="$(cd "$(dirname "$0")/../.." && pwd)"
version="${BICEP_VERSION:-0.49.2}"
package="Azure.Bicep.CommandLine.linux-x64"
cache="${BICEP_CACHE_DIR:-$here/.cache/bicep}"
target="$cache/$version"
binary="$target/bicep"
stamp="$target/.complete"

say() { printf 'bicep:install: %s\n' "$*" >&2; }
fail() { printf 'bicep:install: error: %s\n' "$*" >&2; exit 1; }

if [ -f "$stamp" ] && [ -x "$binary" ]; then
  say "already installed: Bicep CLI $version at $binary"
  printf '%s\n' "$binary"
  exit 0
fi

[ "${BICEP_INSTALL_OFFLINE:-}" != 1 ] || fail "Bicep CLI $version is not installed in $cache: run npm run infra:check (or npm run bicep:install)"
[ "$(uname -s)" = Linux ] || fail "this script restores the linux-x64 Bicep CLI; elsewhere install Bicep (az bicep install) and put it on PATH as bicep"
[ "$(uname -m)" = x86_64 ] || fail "only x86_64 is supported: NuGet's package is $package"
command -v dotnet >/dev/null || fail "dotnet not found: the .NET SDK restores the Bicep CLI from NuGet; install it (Debian: dotnet-sdk-8.0 or later)"

work="$cache/restore"
rm -rf "$work" "$target.tmp"
mkdir -p "$work" "$target.tmp"
# PackageDownload fetches a package without resolving it against a framework: the CLI is a tool, not a library.
cat >"$work/restore.csproj" <<CSPROJ
<Project Sdk="Microsoft.NET.Sdk">
  <PropertyGroup>
    <TargetFramework>net$(dotnet --version | cut -d. -f1).0</TargetFramework>
  </PropertyGroup>
  <ItemGroup>
    <PackageDownload Include="$package" Version="[$version]" />
  </ItemGroup>
</Project>
CSPROJ

say "restoring $package $version from NuGet into $work/packages"
if ! dotnet restore "$work/restore.csproj" --packages "$work/packages" --verbosity minimal --nologo 2>&1 |
  tee "$work/restore.log" | sed -u 's/^/bicep:install: dotnet: /' >&2; then
  fail "dotnet restore of $package $version failed (log: $work/restore.log). Is NuGet reachable, and does it serve version $version? Set BICEP_VERSION to another version."
fi
# dotnet restore can exit 0 yet report NU1102 (version not found) for a PackageDownload in some SDKs: check the files.
found="$(find "$work/packages" -type f -name bicep -path '*linux-x64*' 2>/dev/null | head -1)"
[ -n "$found" ] || fail "the restore finished but no bicep binary is in $work/packages (log: $work/restore.log)"

cp "$found" "$target.tmp/bicep"
chmod +x "$target.tmp/bicep"
got="$("$target.tmp/bicep" --version 2>&1)" || fail "the restored binary does not run: $got"
case "$got" in
  *"$version"*) ;;
  *) fail "the restored binary reports '$got', not version $version" ;;
esac
printf '%s\n' "$got" >"$target.tmp/.complete"
rm -rf "$target"
mv "$target.tmp" "$target"
rm -rf "$work"
say "installed: $got at $binary"
printf '%s\n' "$binary"
