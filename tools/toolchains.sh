# The one table of toolchains: version → where it comes from and how to run it.
# Sourced by tools/setup and tools/em; the Jest suite asks tools/em, never this file.
# shellcheck shell=bash
REPO_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
ROOTS_DIR=${PTHREAD_DYLINK_ROOTS:-/opt/pthread-dylink/roots}
READY_MARKER=.pthread-dylink-ready
ALL_TOOLCHAINS="3.1.6 3.1.69 4.0.9 5.0.3 6.0.5 6.0.8"
# Where the `archive` toolchains' sources are: emscripten-VERSION.tar.xz (checked against
# SHA256SUMS when that file is there) or an unpacked emscripten-VERSION/ tree.
# Default: ../shared/toolchains beside the repo, or beside the local repository it was cloned from
# (a CI clone elsewhere of a checkout that has it).
_beside_repo() {
  local beside origin
  beside=$(cd "$REPO_ROOT/.." && pwd)/shared/$1
  if [ ! -d "$beside" ]; then
    origin=$(git -C "$REPO_ROOT" config --get remote.origin.url 2>/dev/null || true)
    case "$origin" in /*) [ -d "$origin/../shared/$1" ] && beside=$(cd "$origin/../shared/$1" && pwd) ;; esac
  fi
  echo "$beside"
}
TOOLCHAIN_SOURCES=${PTHREAD_DYLINK_TOOLCHAIN_SOURCES:-$(_beside_repo toolchains)}
# Third-party code the scenarios build in place (warm_pool/): ../shared/third_party the same way.
# Commands in a root see it at its own path, read-only.
THIRD_PARTY=${PTHREAD_DYLINK_THIRD_PARTY:-$(_beside_repo third_party)}
# Bump when the recipe that installs an archive toolchain changes: setup then reinstalls it.
ARCHIVE_RECIPE=1

# Columns: version, suite (host or the debootstrap root), from, then
# - node flags: what the generated code needs under that suite's node (- for none);
# - memory64: setup warms the wasm64 libraries (where npm test builds MEMORY64: the newest; the
#   full matrix builds them on demand elsewhere);
# - python: CPython for the real-Python suite (tools/python-build): ci = setup builds it and npm
#   test requires it under CI; full = `npm run python` builds it on first use and runs it, and npm
#   test runs it wherever it is built; no = none. None is ci: a fresh machine's CI would spend
#   ~7 of its minutes building CPython (CI budget); this machine's CI runs the rows of the builds
#   it has;
# - warm: the system libraries setup builds ahead, by what links them: pic = the default variant
#   (-O2, PIC + pthread: every toolchain), debug = -O0's (ASSERTIONS' -debug ones: where npm test
#   runs -O0 builds, emscripten's own core0 tests included), plain = non-PIC and non-pthread (the
#   transform's refusal fixtures: npm test runs them where Debian ships these prebuilt, 3.1.x;
#   6.0.8's took 3 of a fresh CI run's minutes, so its refusal fixtures are in the full matrix).
#   The full matrix builds the rest on demand. CI budget: each set costs minutes on a fresh
#   machine (Debian's 3.1.x packages ship theirs prebuilt).
# from: debian = the suite's emscripten package; archive = an upstream tag's source tree from
# $TOOLCHAIN_SOURCES, installed in the suite's root at /opt/emscripten-VERSION and run on the
# root's clang, binaryen and node.
# version  suite  from     node flags                      memory64 python  warm
_TOOLCHAIN_TABLE='
3.1.6    host    debian   --no-experimental-fetch         no      no      pic,debug,plain
3.1.69   trixie  debian   -                               no      no      pic,debug,plain
4.0.9    sid     archive  -                               no      no      pic
5.0.3    sid     archive  -                               no      no      pic,debug
6.0.5    sid     debian   -                               no      full    pic
6.0.8    sid     archive  -                               yes     full    pic,debug
'
# Each version's row, read once with builtins: tools/em runs for every compile, link and run of the
# suites, and a lookup that forks awk costs 0.2 s of each (minutes of CI).
declare -A _TOOLCHAIN_ROWS=()
while read -r _version _row; do
  [ -n "$_version" ] && _TOOLCHAIN_ROWS[$_version]=$_row
done <<<"$_TOOLCHAIN_TABLE"
unset _version _row
# _toolchain_row VERSION: that version's columns after the first into _ROW (suite, from, node
# flags, memory64, python, warm), with no fork: tools/em runs for every compile, link and run of
# the suites (~2,000 times a CI run), and each $(…) on its path cost a fork (50 ms of its 150).
_toolchain_row() {
  local row=${_TOOLCHAIN_ROWS[$1]-}
  if [ -z "$row" ]; then
    echo "unknown toolchain '$1' (known: $ALL_TOOLCHAINS)" >&2
    return 2
  fi
  read -r -a _ROW <<<"$row"
}
_toolchain_field() { _toolchain_row "$1" && echo "${_ROW[$(($2 - 2))]}"; }
# After _toolchain_row VERSION, into REPLY: the root its commands run in, and emscripten's
# directory as that root sees it.
_row_root() { if [ "${_ROW[0]}" = host ]; then REPLY=/; else REPLY=$ROOTS_DIR/${_ROW[0]}; fi; }
_row_emscripten_dir() { if [ "${_ROW[1]}" = archive ]; then REPLY=/opt/emscripten-$1; else REPLY=/usr/share/emscripten; fi; }
toolchain_suite() { _toolchain_field "$1" 2; }
toolchain_from() { _toolchain_field "$1" 3; }
toolchain_memory64() { [ "$(_toolchain_field "$1" 5)" = yes ]; }
# The toolchains npm test runs CPython on (setup builds them); with `all`, also those only `npm run
# python` builds and runs.
toolchain_python_versions() {
  local v python
  for v in $ALL_TOOLCHAINS; do
    python=$(_toolchain_field "$v" 6)
    if [ "$python" = ci ] || { [ "${1:-}" = all ] && [ "$python" = full ]; }; then echo "$v"; fi
  done
}
toolchain_warm() { _toolchain_field "$1" 7 | tr , ' '; }
toolchain_root() { _toolchain_row "$1" && _row_root && echo "$REPLY"; }
toolchain_emscripten_dir() { _toolchain_row "$1" && _row_emscripten_dir "$1" && echo "$REPLY"; }
# The tree the peer suite runs emscripten's test/runner.py in, as the root sees it: a Debian
# package ships no test/, so setup makes a copy with one; an archive has its own.
toolchain_peer_dir() {
  local f; f=$(toolchain_from "$1") || return
  if [ "$f" = archive ]; then toolchain_emscripten_dir "$1"; else echo /var/lib/pthread-dylink/emscripten-peer; fi
}
toolchain_cache_dir() {
  # Where the warm-cache stamp lives, on the host. Debian's emscripten keeps its cache where the
  # package puts it; an archive's cache is its own (its .emscripten names it).
  local s f; s=$(toolchain_suite "$1") || return; f=$(toolchain_from "$1")
  if [ "$s" = host ]; then echo "$ROOTS_DIR/host-state"
  elif [ "$f" = archive ]; then echo "$ROOTS_DIR/$s/var/cache/emscripten-$1"
  else echo "$ROOTS_DIR/$s/var/lib/pthread-dylink"; fi
}
# The marker an installed archive toolchain carries, on the host.
toolchain_archive_marker() { _toolchain_row "$1" && _row_archive_marker "$1" && echo "$REPLY"; }
_row_archive_marker() {
  local root
  _row_root; root=$REPLY
  _row_emscripten_dir "$1"; REPLY=$root$REPLY/$READY_MARKER-$ARCHIVE_RECIPE
}
toolchain_installed() {
  _toolchain_row "$1" || return
  if [ "${_ROW[0]}" = host ]; then command -v emcc >/dev/null 2>&1
  elif [ "${_ROW[1]}" = archive ]; then _row_archive_marker "$1"; [ -f "$REPLY" ]
  else [ -f "$ROOTS_DIR/${_ROW[0]}/$READY_MARKER" ]; fi
}

# in_root ROOT CWD CMD...: CMD inside ROOT with /proc, /dev, the repo, CWD (when outside the
# repo) and THIRD_PARTY (read-only, when it exists) bind-mounted at their own paths in a private mount namespace, so the mounts end with the
# command whatever happens to it. Its environment: a fixed PATH, HOME and LANG, the caller's EMCC_*,
# EM_* and PTHREAD_DYLINK_* variables, then the assignments in the caller's IN_ROOT_ENV array.
in_root() {
  local root=$1 cwd=$2; shift 2
  # Never "/" (binding the host's / over the root would run the command on the host).
  local extra=
  case "$cwd" in /|"$REPO_ROOT"|"$REPO_ROOT"/*) ;; *) extra=$cwd ;; esac
  local keep=() name
  for name in $(compgen -e); do
    case "$name" in EMCC_*|EM_*|PTHREAD_DYLINK_*) keep+=("$name=${!name}") ;; esac
  done
  unshare --mount --propagation private bash -c '
    set -e
    root=$1 repo=$2 extra=$3 third_party=$4; shift 4
    mount -t proc proc "$root/proc"
    mount --rbind /dev "$root/dev"
    for dir in "$repo" $extra; do
      mkdir -p "$root$dir"
      mount --bind "$dir" "$root$dir"
    done
    if [ -d "$third_party" ]; then
      mkdir -p "$root$third_party"
      mount --bind "$third_party" "$root$third_party"
      mount -o remount,bind,ro "$root$third_party"
    fi
    exec chroot "$root" "$@"
  ' in_root "$root" "$REPO_ROOT" "$extra" "$THIRD_PARTY" \
    /usr/bin/env -i -C "$cwd" PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin HOME=/root \
    LANG=C.UTF-8 "${keep[@]}" "${IN_ROOT_ENV[@]}" "$@"
}

# toolchain_run VERSION CMD...: run emcc/em++/node/python3… of that toolchain in the current directory.
# The chroot toolchains see the repo and the current directory, nothing else of the host.
# `node` gets the flags the table names.
toolchain_run() {
  local version=$1; shift
  toolchain_installed "$version" || {
    [ $? = 2 ] && return 2
    echo "toolchain $version is not installed: run tools/setup --only $version" >&2; return 3; }
  # toolchain_installed left the version's row in _ROW.
  local suite=${_ROW[0]} from=${_ROW[1]} flags=${_ROW[2]}
  if [ "$1" = node ] && [ "$flags" != - ]; then shift; set -- node $flags "$@"; fi
  if [ "$suite" = host ]; then
    NODE_PATH=/usr/share/nodejs "$@"
    return
  fi
  # An archive toolchain: its own emcc first on PATH (else Debian's /usr/bin/emcc answers) and
  # its own config (compilers, cache), set by in_root's env (one exec fewer a call).
  local IN_ROOT_ENV=()
  if [ "$from" = archive ]; then
    _row_emscripten_dir "$version"
    IN_ROOT_ENV=("PATH=$REPLY:/usr/local/bin:/usr/bin:/bin" "EM_CONFIG=$REPLY/.emscripten")
  fi
  case "$PWD" in /|/proc|/proc/*|/dev|/dev/*|/sys|/sys/*|"$ROOTS_DIR"|"$ROOTS_DIR"/*)
    echo "toolchain $version runs in a chroot that sees the repo and the current directory: run it from a project directory, not $PWD" >&2
    return 2 ;;
  esac
  _row_root
  in_root "$REPLY" "$PWD" "$@"
}
