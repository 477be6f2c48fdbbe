# shellcheck shell=bash
# Shared host-side helpers for deps.sh, debian-kernel.sh and buildroot.sh.
# Sourced, not run.  Everything here only ever installs packages from the
# host's own apt suites and never touches /etc/apt.

VMS_CACHE=${VMSCOPE_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/vmscope}

# need_pkgs [--check] PKG...: install the missing ones from the host's own
# suites (root), or say which command to run (non-root, or --check).
# Returns 1 when something is missing and could not be installed.
need_pkgs() {
	local check_only=0 p missing=()
	[ "${1:-}" = --check ] && { check_only=1; shift; }
	for p in "$@"; do
		dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' ||
			missing+=("$p")
	done
	[ ${#missing[@]} = 0 ] && return 0
	if [ $check_only = 1 ]; then
		echo "missing packages: ${missing[*]}" >&2
		return 1
	fi
	if [ "$(id -u)" != 0 ]; then
		echo "vmscope: missing packages: ${missing[*]}" >&2
		echo "run as root:  apt-get update && apt-get install -y --no-install-recommends ${missing[*]}" >&2
		return 1
	fi
	echo "deps: installing ${missing[*]}" >&2
	# --no-install-recommends and no -t: a global target release would drag
	# in a kernel and systemd.
	DEBIAN_FRONTEND=noninteractive apt_host apt-get install -y -qq --no-install-recommends \
		"${missing[@]}" >&2 && return 0
	# Stale or absent package lists: refresh them once and retry.
	DEBIAN_FRONTEND=noninteractive apt_host apt-get update -qq >&2
	DEBIAN_FRONTEND=noninteractive apt_host apt-get install -y -qq --no-install-recommends \
		"${missing[@]}" >&2
}

# apt_host apt-get|apt-cache ARGS...: the host's own apt, one vmscope script
# at a time.  tests/run.sh runs a second lane of tests beside the first, and
# each may install packages or fetch a kernel: two `apt-get update`s at once
# fail on the lists lock (apt cannot wait for it), and `apt-get install`
# waits for dpkg's lock only when told to (DPkg::Lock::Timeout, for apt
# run by somebody else).
apt_host() {
	mkdir -p "$VMS_CACHE"
	( flock 9 && "$@" -o DPkg::Lock::Timeout=600 ) 9> "$VMS_CACHE/.apt-host.lock"
}

# host_mirror [security]: the Debian archive URI the host's apt already uses
# (read from apt's own index targets, so no host name lives in this repo).
# "security" gives the security archive's URI instead.
host_mirror() {
	local want=${1:-main} uri
	# $(RELEASE) is the suite: bookworm, bookworm-security, ...
	uri=$(apt-get indextargets --format '$(RELEASE) $(REPO_URI)' 'Identifier: Packages' 2>/dev/null |
	      awk -v w="$want" '($1 ~ /-security$/) == (w == "security") && $1 !~ /-(updates|backports)$/ {print $2; exit}')
	[ -n "$uri" ] || { echo "vmscope: cannot find the host's Debian ${want} archive in its apt configuration" >&2; return 1; }
	echo "${uri%/}"
}

# Private apt configuration for suites the host does not use: its own
# sources list, package lists and download cache under $VMS_CACHE/apt/NAME.
# The host's sources, lists and dpkg status are never read or written.
#   papt_init NAME "SUITE..." "SECURITY-SUITE..." ["ARCH..."]   (writes the config)
#   papt NAME apt-get|apt-cache ARGS...
# ARCH (e.g. arm64) makes it a configuration of that architecture alone;
# without it, amd64 as before.  More than one ("arm64 amd64"): the first
# is the native one, the others foreign, downloadable as PKG:ARCH (the
# arm64 kernels take linux-kbuild:amd64 that way).
papt_dir() { echo "$VMS_CACHE/apt/$1"; }

papt_init() {
	local name=$1 suites=$2 secsuites=${3:-} arch=${4:-} d main sec s opts
	d=$(papt_dir "$name")
	main=$(host_mirror main) || return 1
	mkdir -p "$d/lists/partial" "$d/cache/archives/partial" "$d/preferences.d"
	opts="signed-by=/usr/share/keyrings/debian-archive-keyring.gpg"
	[ -n "$arch" ] && opts="arch=$(echo $arch | tr ' ' ,) $opts"
	{
		for s in $suites; do
			echo "deb [$opts] $main $s main"
		done
		if [ -n "$secsuites" ]; then
			sec=$(host_mirror security) || return 1
			for s in $secsuites; do
				echo "deb [$opts] $sec $s main"
			done
		fi
	} > "$d/sources.list.new"
	if [ -n "$arch" ]; then echo "$arch" > "$d/arch"; else rm -f "$d/arch"; fi
	# A changed list (other mirror) invalidates the old package lists.
	if ! cmp -s "$d/sources.list.new" "$d/sources.list" 2>/dev/null; then
		rm -rf "$d/lists"; mkdir -p "$d/lists/partial"
		mv "$d/sources.list.new" "$d/sources.list"
	else
		rm -f "$d/sources.list.new"
	fi
}

papt() {
	local name=$1 tool=$2 d arch=() a
	shift 2
	d=$(papt_dir "$name")
	if [ -f "$d/arch" ]; then
		# The native architecture, then the list of all of them.
		a=$(cat "$d/arch")
		arch=(-o "APT::Architecture=${a%% *}")
		for a in $a; do arch+=(-o "APT::Architectures::=$a"); done
	else
		arch=(-o APT::Architecture=amd64)
	fi
	# Dir::State::status=/dev/null: resolve as on an empty system, so the
	# host's installed packages never influence (or get influenced by) it.
	"$tool" -o Dir::Etc::sourcelist="$d/sources.list" \
		-o Dir::Etc::sourceparts=/nonexistent \
		-o Dir::State::Lists="$d/lists" \
		-o Dir::Cache="$d/cache" \
		-o Dir::State::status=/dev/null \
		-o Dir::Etc::preferencesparts="$d/preferences.d" \
		-o Dir::Etc::preferences="$d/preferences" \
		"${arch[@]}" -o APT::Sandbox::User=root \
		-o Debug::NoLocking=1 "$@"
}
