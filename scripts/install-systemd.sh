#!/usr/bin/env bash
# Installs ibkr-trader as the systemd service ibkr-trader@<profile> from a built checkout.
# Builds nothing: run `make build` first. Safe to run again (an upgrade is the same command).
# --dry-run prints every step and the rendered unit, and changes nothing.
set -euo pipefail

readonly PROGRAM="install-systemd.sh"
readonly UNIT_NAME="ibkr-trader@.service"
readonly UNIT_DIR="/etc/systemd/system"
readonly SECRETS_DIR="/etc/ibkr-trader"
readonly STATE_ROOT="/var/lib/ibkr-trader"

usage() {
  cat <<'USAGE'
Usage: scripts/install-systemd.sh [--profile paper|live] [--prefix DIR] [--user NAME] [--node PATH] [--dry-run]

Installs the built checkout into --prefix and the unit ibkr-trader@.service, then prints the commands
that enable and start ibkr-trader@<profile>. Run as root; run `make build` first.

  --profile paper|live  profile to prepare (.env.ibkr.<profile>, /etc/ibkr-trader/<profile>.env,
                        /var/lib/ibkr-trader/<profile>); default paper
  --prefix DIR          install directory (absolute); default /opt/ibkr-trader. When it is this
                        checkout, nothing is copied
  --user NAME           system user (and group) the daemon runs as, created if missing; default ibkr-trader
  --node PATH           Node.js >= 20.19 binary for ExecStart; default: node on the PATH
  --dry-run             print what would be done and the rendered unit; change nothing
  -h, --help            print this help
USAGE
}

fail_usage() {
  echo "${PROGRAM}: $1 (see --help)" >&2
  exit 2
}

fail() {
  echo "${PROGRAM}: $1" >&2
  exit 1
}

profile="paper"
prefix="/opt/ibkr-trader"
user="ibkr-trader"
node=""
dry_run=false

while [[ $# -gt 0 ]]; do
  case "$1" in
    --profile | --prefix | --user | --node)
      [[ $# -ge 2 && -n "$2" && "$2" != --* ]] || fail_usage "$1 needs a value"
      case "$1" in
        --profile) profile="$2" ;;
        --prefix) prefix="$2" ;;
        --user) user="$2" ;;
        --node) node="$2" ;;
      esac
      shift 2
      ;;
    --profile=* | --prefix=* | --user=* | --node=*)
      value="${1#*=}"
      [[ -n "$value" ]] || fail_usage "${1%%=*} needs a value"
      case "$1" in
        --profile=*) profile="$value" ;;
        --prefix=*) prefix="$value" ;;
        --user=*) user="$value" ;;
        --node=*) node="$value" ;;
      esac
      shift
      ;;
    --dry-run)
      dry_run=true
      shift
      ;;
    -h | --help)
      usage
      exit 0
      ;;
    *)
      fail_usage "unknown argument \"$1\""
      ;;
  esac
done

# Validation: every value ends up in a unit file or a command line, so only plain characters pass.
case "$profile" in
  paper | live) ;;
  *) fail_usage "--profile \"$profile\" is invalid: use paper or live" ;;
esac
[[ "$user" =~ ^[a-z_][a-z0-9_-]{0,31}$ ]] ||
  fail_usage "--user \"$user\" is invalid: use a lower-case system user name such as ibkr-trader"

# Paths go into ExecStart= and sed unescaped: absolute, no spaces or special characters.
check_path() {
  local flag="$1" path="$2"
  [[ "$path" == /* ]] || fail_usage "$flag \"$path\" must be an absolute path"
  [[ "$path" =~ ^[A-Za-z0-9._/+-]+$ ]] ||
    fail_usage "$flag \"$path\" may only contain letters, digits and . _ / + -"
  [[ "$path/" != *"/../"* && "$path/" != *"/./"* && "$path" != *"//"* && "$path" != "/" ]] ||
    fail_usage "$flag \"$path\" must be a plain absolute path (no /./, /../, // or / alone)"
  # The unit sets ProtectHome=yes and PrivateTmp=yes: the service would not see these directories.
  case "$path/" in
    /home/* | /root/* | /run/user/* | /tmp/* | /var/tmp/*)
      fail_usage "$flag \"$path\" is under /home, /root, /run/user or a temporary directory, which the service cannot see (ProtectHome=, PrivateTmp=): use a system-wide path such as /opt/ibkr-trader or /usr/bin/node"
      ;;
  esac
}

[[ "$prefix" == "/" ]] || prefix="${prefix%/}"
check_path --prefix "$prefix"

if [[ -z "$node" ]]; then
  node="$(command -v node || true)"
  [[ -n "$node" ]] || fail "node is not on the PATH: install Node.js >= 20.19 system-wide or pass --node /path/to/node"
fi
check_path --node "$node"
[[ -x "$node" && ! -d "$node" ]] || fail "--node \"$node\" is not an executable file"
node_version="$("$node" -p 'process.versions.node' 2>/dev/null)" || node_version=""
[[ "$node_version" =~ ^[0-9]+\.[0-9]+\. ]] || fail "--node \"$node\" did not report a Node.js version: pass the path of a Node.js binary"
IFS=. read -r node_major node_minor _ <<<"$node_version"
if ((node_major < 20 || (node_major == 20 && node_minor < 19))); then
  fail "Node.js $node_version at $node is too old: ibkr-trader needs >= 20.19"
fi

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)"
template="$repo/deploy/systemd/$UNIT_NAME"
[[ -f "$template" ]] || fail "unit template $template not found: run this script from an ibkr-trader checkout"
[[ -f "$repo/dist/src/main.js" ]] || fail "$repo/dist/src/main.js not found: run \`make build\` first"
[[ -d "$repo/node_modules" ]] || fail "$repo/node_modules not found: run \`make build\` first"
[[ -f "$repo/.env.ibkr.$profile" || -f "$prefix/.env.ibkr.$profile" ]] ||
  fail "profile file .env.ibkr.$profile not found in $repo or $prefix"

if [[ "$dry_run" == false && "$(id -u)" -ne 0 ]]; then
  fail "must run as root to create the user and install the unit: use sudo, or --dry-run to see the steps"
fi

in_place=false
if [[ -d "$prefix" && "$(cd "$prefix" && pwd -P)" == "$repo" ]]; then in_place=true; fi
group="$user"
unit_path="$UNIT_DIR/$UNIT_NAME"
secrets_file="$SECRETS_DIR/$profile.env"
state_dir="$STATE_ROOT/$profile"
service="ibkr-trader@$profile"

# Prints a step; runs it unless this is a dry run.
run() {
  if [[ "$dry_run" == true ]]; then
    echo "would run: $*"
  else
    echo "+ $*"
    "$@"
  fi
}

rendered_unit() {
  sed -e "s|@NODE@|$node|g" -e "s|@PREFIX@|$prefix|g" -e "s|@USER@|$user|g" -e "s|@GROUP@|$group|g" "$template"
}

secrets_template() {
  cat <<EOF
# ibkr-trader, profile $profile: this machine's overrides and secrets (read by systemd as root).
# Values here reach the daemon as environment: above .env.ibkr.$profile, below command-line flags.
# Restart after a change: systemctl restart $service
EOF
  if [[ "$profile" == "live" ]]; then
    cat <<'EOF'

# Live orders need all of: the live profile, --live, and the confirmation naming the live account.
# IBKR_TRADER_FLAGS=--live
# IBKR_LIVE_CONFIRM=U1234567
EOF
  else
    cat <<'EOF'

# Extra flags for `run`, e.g. --read-only
# IBKR_TRADER_FLAGS=
EOF
  fi
  cat <<'EOF'
# Token for the HTTP control endpoints
# IBKR_CONTROL_TOKEN=
# Give each profile that runs on this machine its own port
# HTTP_PORT=8787
EOF
}

if [[ "$dry_run" == true ]]; then echo "$PROGRAM: dry run, nothing is changed"; fi

# 1. The program files. An in-place install (prefix = this checkout) uses them where they are.
if [[ "$in_place" == true ]]; then
  echo "using the checkout in place: $prefix"
else
  run install -d -m 0755 "$prefix"
  for entry in dist node_modules; do
    run rm -rf "${prefix:?}/$entry"
    run cp -R "$repo/$entry" "$prefix/$entry"
  done
  run install -m 0644 "$repo/package.json" "$prefix/package.json"
  run install -m 0644 "$repo/README.md" "$prefix/README.md"
  # A profile already in the prefix may have been edited for this machine: never overwrite it.
  for name in .env.ibkr.paper .env.ibkr.live; do
    if [[ -f "$prefix/$name" ]]; then
      echo "keeping $prefix/$name"
    elif [[ -f "$repo/$name" ]]; then
      run install -m 0644 "$repo/$name" "$prefix/$name"
    fi
  done
fi

# 2. The system user that owns nothing but the state directory.
if getent passwd "$user" >/dev/null; then
  echo "user $user exists"
else
  nologin="$(command -v nologin || echo /usr/sbin/nologin)"
  run useradd --system --user-group --home-dir "$STATE_ROOT" --no-create-home --shell "$nologin" "$user"
fi

# 3. The state directory (systemd also creates it from StateDirectory=; made here so it can be inspected).
run install -d -m 0755 "$STATE_ROOT"
run install -d -m 0750 -o "$user" -g "$group" "$state_dir"

# 4. The root-only environment file for secrets, created once and never overwritten.
run install -d -m 0755 "$SECRETS_DIR"
if [[ -f "$secrets_file" ]]; then
  echo "keeping $secrets_file"
elif [[ "$dry_run" == true ]]; then
  echo "would write $secrets_file (mode 0600, every line commented out)"
else
  echo "+ write $secrets_file"
  (umask 077 && secrets_template >"$secrets_file")
fi

# 5. The unit, written only when it changed.
if [[ "$dry_run" == true ]]; then
  echo "would write $unit_path:"
  echo "----- $unit_path -----"
  rendered_unit
  echo "----- end of $unit_path -----"
  echo "would run: systemctl daemon-reload"
else
  if [[ -f "$unit_path" ]] && rendered_unit | cmp -s - "$unit_path"; then
    echo "unit $unit_path unchanged"
  else
    echo "+ write $unit_path"
    rendered_unit >"$unit_path.tmp"
    chmod 0644 "$unit_path.tmp"
    mv "$unit_path.tmp" "$unit_path"
  fi
  if [[ -d /run/systemd/system ]]; then
    run systemctl daemon-reload
  else
    echo "systemd is not running on this machine: run \`systemctl daemon-reload\` where it is" >&2
  fi
fi

cat <<EOF

Next steps:
  # secrets and overrides (live: IBKR_TRADER_FLAGS=--live and IBKR_LIVE_CONFIRM=<account id>)
  sudoedit $secrets_file
  # start now and at every boot, then watch it
  sudo systemctl enable --now $service
  systemctl status $service
  journalctl -u $service -f
  # readable logs
  journalctl -u $service -f -o cat | $prefix/node_modules/.bin/pino-pretty
  # ready once reconciled and trading (HTTP_PORT, 8787 by default)
  curl -s http://127.0.0.1:8787/readyz
  # graceful stop (SIGTERM)
  sudo systemctl stop $service
After an upgrade (git pull, make build, this script again): sudo systemctl restart $service
EOF
