#!/bin/sh
# Threefold: back up this Mac to the NAS {{HOST}} every day, as device {{DEVICE}}.
# Made by the appliance on {{MADE}}. It holds the device's private key: keep it to yourself.
# Running it again changes nothing that is already right; how to undo it is printed at the end.
set -eu
umask 077

HOST={{HOST_Q}}
PORT={{PORT}}
DEVICE={{DEVICE_Q}}
AT_HOUR={{HOUR}}
AT_MINUTE={{MINUTE}}
AT={{AT_Q}}
DIR="$HOME/.config/threefold"
AGENT="$HOME/Library/LaunchAgents/app.threefold.backup.plist"

say() { printf '%s\n' "$*"; }

# Writes standard input to $1 with mode $2, only when the content differs: a second run changes nothing.
put() {
  tmp="$1.new.$$"
  cat > "$tmp"
  chmod "$2" "$tmp"
  if [ -f "$1" ] && cmp -s "$tmp" "$1"; then
    rm -f "$tmp"
    return 1
  fi
  mv -f "$tmp" "$1"
  say "  wrote $1"
}

ask() {
  printf '%s [y/N] ' "$1"
  answer=n
  # The script may arrive through a pipe (curl … | sh): the answer comes from the terminal.
  if [ -r /dev/tty ]; then read -r answer < /dev/tty || answer=n; fi
  case "$answer" in y | Y | yes | Yes) return 0 ;; *) return 1 ;; esac
}

# Everything runs from main, called on the last line: a script cut short on its way through
# curl | sh is a syntax error that runs nothing, never half a setup.
main() {
say "Setting up the daily backup of $DEVICE to $HOST (port $PORT)."

if ! command -v rclone > /dev/null 2>&1; then
  if command -v brew > /dev/null 2>&1; then
    say "The backup uses rclone, which is not installed."
    ask "Install it now with 'brew install rclone'?" && brew install rclone
  fi
  if ! command -v rclone > /dev/null 2>&1; then
    say "Nothing was changed. The backup needs rclone:"
    say "  - with Homebrew (https://brew.sh): brew install rclone"
    say "  - or the macOS download from https://rclone.org/downloads/, copied to /usr/local/bin/rclone"
    say "Then run this script again."
    exit 1
  fi
fi
RCLONE=$(command -v rclone)

mkdir -p "$DIR" "$HOME/Library/LaunchAgents"
put "$DIR/id_ed25519" 600 << 'THREEFOLD_KEY' || true
{{PRIVATE_KEY}}
THREEFOLD_KEY
put "$DIR/known_hosts" 600 << 'THREEFOLD_HOSTS' || true
{{KNOWN_HOSTS}}
THREEFOLD_HOSTS
put "$DIR/filter.txt" 600 << 'THREEFOLD_FILTER' || true
{{FILTER}}
THREEFOLD_FILTER
put "$DIR/rclone.conf" 600 << THREEFOLD_CONF || true
[threefold]
type = sftp
host = $HOST
port = $PORT
user = $DEVICE
key_file = $DIR/id_ed25519
known_hosts_file = $DIR/known_hosts
shell_type = none
md5sum_command = none
sha1sum_command = none
THREEFOLD_CONF
# --ignore-case: APFS ignores case, so the filter's "Documents" must match a "documents" folder too.
put "$DIR/backup.sh" 700 << THREEFOLD_BACKUP || true
#!/bin/sh
# Threefold's backup of this Mac to $HOST, written by the setup script.
DIR=\$(dirname "\$0")
exec "$RCLONE" --config "\$DIR/rclone.conf" sync "\$HOME" threefold: --ignore-case --filter-from "\$DIR/filter.txt" "\$@"
THREEFOLD_BACKUP

# launchd runs a missed calendar interval when the Mac wakes up.
if put "$AGENT" 644 << THREEFOLD_AGENT; then
<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE plist PUBLIC "-//Apple//DTD PLIST 1.0//EN" "http://www.apple.com/DTDs/PropertyList-1.0.dtd">
<plist version="1.0">
<dict>
  <key>Label</key><string>app.threefold.backup</string>
  <key>ProgramArguments</key><array><string>/bin/sh</string><string>$DIR/backup.sh</string></array>
  <key>StartCalendarInterval</key><dict><key>Hour</key><integer>$AT_HOUR</integer><key>Minute</key><integer>$AT_MINUTE</integer></dict>
  <key>StandardOutPath</key><string>$DIR/backup.log</string>
  <key>StandardErrorPath</key><string>$DIR/backup.log</string>
</dict>
</plist>
THREEFOLD_AGENT
  launchctl bootout "gui/$(id -u)" "$AGENT" 2> /dev/null || true
  if ! launchctl bootstrap "gui/$(id -u)" "$AGENT"; then
    say "Setup could not load the launchd agent (launchctl's message is above); nothing will run by itself."
    say "Fix that and run this script again, or undo what it wrote: rm -r '$DIR' '$AGENT'"
    exit 1
  fi
  say ""
  say "One step only you can do: macOS keeps Desktop, Documents and Pictures from programs that run"
  say "in the background until you allow them. Open System Settings > Privacy & Security >"
  say "Full Disk Access, click +, press Cmd+Shift+G, type $RCLONE, choose Open, and switch it on."
  open "x-apple.systempreferences:com.apple.preference.security?Privacy_AllFiles" 2> /dev/null || true
fi
say "  daily at $AT by the launchd agent app.threefold.backup"

say "First backup (later ones only send what changed):"
first=ok
if [ -t 1 ]; then
  /bin/sh "$DIR/backup.sh" --progress || first=failed
else
  /bin/sh "$DIR/backup.sh" --stats-one-line --stats 10s -v || first=failed
fi
if [ "$first" = failed ]; then
  say "The first backup failed (rclone's message is above). The daily run at $AT tries again;"
  say "to try now: sh '$DIR/backup.sh'"
fi

say ""
say "Done: $DEVICE backs up to $HOST every day at $AT. The NAS's panel shows each backup."
say "To undo everything this script set up, run:"
say "  launchctl bootout gui/\$(id -u) '$AGENT'; rm -f '$AGENT'"
say "  rm -r '$DIR'"
say "and remove rclone from Full Disk Access. The backups on the NAS stay until you delete them there."
[ "$first" = ok ]
}

main "$@"
