#!/bin/sh
# Threefold: back up this Linux computer to the NAS {{HOST}} every day, as device {{DEVICE}}.
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
# Always here, whatever XDG_CONFIG_HOME says: the backup's filter leaves out /.config/threefold of
# the home folder, so the key never travels to the NAS.
DIR="$HOME/.config/threefold"
# Where systemd looks for user units.
UNITS="${XDG_CONFIG_HOME:-$HOME/.config}/systemd/user"

say() { printf '%s\n' "$*"; }

# Writes standard input to $1 with mode $2, only when the content differs: a second run changes nothing.
put() {
  tmp="$1.new.$$"
  cat > "$tmp"
  chmod "$2" "$tmp"
  if [ -f "$1" ] && cmp -s "$tmp" "$1"; then
    rm -f "$tmp"
  else
    mv -f "$tmp" "$1"
    say "  wrote $1"
  fi
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
  say "The backup uses rclone, which is not installed."
  if command -v apt-get > /dev/null 2>&1; then
    ask "Install it now with 'sudo apt-get install rclone'?" && sudo apt-get install -y rclone
  elif command -v dnf > /dev/null 2>&1; then
    ask "Install it now with 'sudo dnf install rclone'?" && sudo dnf install -y rclone
  elif command -v pacman > /dev/null 2>&1; then
    ask "Install it now with 'sudo pacman -S rclone'?" && sudo pacman -S --noconfirm rclone
  fi
  if ! command -v rclone > /dev/null 2>&1; then
    say "Nothing was changed. Install rclone with your distribution's package manager, then run this script again."
    exit 1
  fi
fi
RCLONE=$(command -v rclone)

mkdir -p "$DIR"
put "$DIR/id_ed25519" 600 << 'THREEFOLD_KEY'
{{PRIVATE_KEY}}
THREEFOLD_KEY
put "$DIR/known_hosts" 600 << 'THREEFOLD_HOSTS'
{{KNOWN_HOSTS}}
THREEFOLD_HOSTS
put "$DIR/filter.txt" 600 << 'THREEFOLD_FILTER'
{{FILTER}}
THREEFOLD_FILTER
put "$DIR/rclone.conf" 600 << THREEFOLD_CONF
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
put "$DIR/backup.sh" 700 << THREEFOLD_BACKUP
#!/bin/sh
# Threefold's backup of this computer to $HOST, written by the setup script.
DIR=\$(dirname "\$0")
exec "$RCLONE" --config "\$DIR/rclone.conf" sync "\$HOME" threefold: --filter-from "\$DIR/filter.txt" "\$@"
THREEFOLD_BACKUP

if command -v systemctl > /dev/null 2>&1 && systemctl --user show-environment > /dev/null 2>&1; then
  mkdir -p "$UNITS"
  put "$UNITS/threefold-backup.service" 644 << THREEFOLD_SERVICE
[Unit]
Description=Threefold backup of this computer to $HOST
Wants=network-online.target
After=network-online.target

[Service]
Type=oneshot
ExecStart=/bin/sh "$DIR/backup.sh"
THREEFOLD_SERVICE
  put "$UNITS/threefold-backup.timer" 644 << THREEFOLD_TIMER
[Unit]
Description=Daily Threefold backup to $HOST

[Timer]
OnCalendar=*-*-* $AT:00
Persistent=true

[Install]
WantedBy=timers.target
THREEFOLD_TIMER
  if ! systemctl --user daemon-reload || ! systemctl --user enable --now threefold-backup.timer > /dev/null; then
    say "Setup could not start the daily timer (systemctl's message is above); nothing will run by itself."
    say "Fix that and run this script again, or undo what it wrote: rm -r '$DIR' '$UNITS/threefold-backup.service' '$UNITS/threefold-backup.timer'"
    exit 1
  fi
  say "  daily at $AT by the systemd user timer threefold-backup.timer; a missed run starts at the next boot or login"
  undo_schedule="systemctl --user disable --now threefold-backup.timer; rm -f '$UNITS/threefold-backup.service' '$UNITS/threefold-backup.timer'; systemctl --user daemon-reload"
else
  line="$AT_MINUTE $AT_HOUR * * * /bin/sh \"$DIR/backup.sh\" >> \"$DIR/backup.log\" 2>&1 # threefold-backup"
  current=$(crontab -l 2> /dev/null || true)
  others=$(printf '%s\n' "$current" | grep -v '# threefold-backup$' || true)
  if [ -n "$others" ]; then
    wanted=$(printf '%s\n%s' "$others" "$line")
  else
    wanted=$line
  fi
  if [ "$current" != "$wanted" ]; then
    if ! printf '%s\n' "$wanted" | crontab -; then
      say "Setup could not change your crontab (crontab's message is above); nothing will run by itself."
      say "Fix that and run this script again, or undo what it wrote: rm -r '$DIR'"
      exit 1
    fi
    say "  added to your crontab: $line"
  fi
  say "  daily at $AT by cron (no systemd user session here); cron skips a run while the computer is off"
  undo_schedule="crontab -l | grep -v '# threefold-backup\$' | crontab -"
fi

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
say "  $undo_schedule"
say "  rm -r '$DIR'"
say "Your files on this computer are not touched; the backups on the NAS stay until you delete them there."
[ "$first" = ok ]
}

main "$@"
