#!/bin/sh
# Starts the appliance as the container's first process. Everything it writes goes to the data
# volume: the JVM's temporary files (zstd's native library is unpacked there) included, so the root
# file system can be read-only.
set -eu
data="${THREEFOLD_DATA_DIR:-/var/lib/threefold}"
if [ ! -w "$data" ]; then
    echo "threefold: cannot write to $data (owned by $(stat -c %u:%g "$data"), running as $(id -u):$(id -g))." >&2
    echo "threefold: give the volume to uid 10001, e.g. 'chown -R 10001:10001 /path/to/folder' on the NAS." >&2
    exit 78
fi
# Left behind only by a process that was killed; nothing in it outlives a run.
rm -rf "$data/tmp"
mkdir -p "$data/tmp"
exec java \
    -Djava.io.tmpdir="$data/tmp" \
    -XX:-UsePerfData \
    --enable-native-access=ALL-UNNAMED \
    -XX:ThreadPriorityPolicy=1 -XX:JavaPriority1_To_OSPriority=19 \
    ${THREEFOLD_JAVA_OPTS:--Xms64m -Xmx1g} \
    -jar /opt/threefold/threefold.jar "$@"
