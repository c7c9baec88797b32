# Sourced by ./mvnw, appliance/threefold and .ci/run: exports JAVA_HOME pointing at a JDK >= 21,
# and sets THREEFOLD_JDK_FROM to where it was found (for the launcher to say which JDK it runs).
# Order: $JAVA_HOME, the java on PATH, then the newest JDK under /usr/lib/jvm (Debian's location).

# The major version of a java binary: from its JDK's release file when there is one (no JVM start),
# else from `java -version`.
threefold_java_major() {
    release="$(dirname "$(dirname "$(readlink -f "$1")")")/release"
    if [ -f "$release" ]; then
        sed -n 's/^JAVA_VERSION="\([0-9][0-9]*\).*/\1/p' "$release" | head -n 1
    else
        "$1" -version 2>&1 | sed -n 's/.*version "\([0-9][0-9]*\).*/\1/p' | head -n 1
    fi
}

threefold_select_jdk() {
    if [ -n "${JAVA_HOME:-}" ] && [ -x "$JAVA_HOME/bin/java" ] \
        && [ "$(threefold_java_major "$JAVA_HOME/bin/java")" -ge 21 ] 2>/dev/null; then
        THREEFOLD_JDK_FROM="JAVA_HOME"
        return 0
    fi
    if command -v java >/dev/null 2>&1; then
        path_java=$(command -v java)
        if [ "$(threefold_java_major "$path_java")" -ge 21 ] 2>/dev/null; then
            JAVA_HOME=$(dirname "$(dirname "$(readlink -f "$path_java")")")
            export JAVA_HOME
            THREEFOLD_JDK_FROM="the java on PATH"
            return 0
        fi
    fi
    best=""
    best_major=0
    for candidate in /usr/lib/jvm/*; do
        [ -x "$candidate/bin/java" ] && [ -x "$candidate/bin/javac" ] || continue
        major=$(threefold_java_major "$candidate/bin/java")
        if [ "${major:-0}" -ge 21 ] 2>/dev/null && [ "$major" -gt "$best_major" ]; then
            best=$candidate
            best_major=$major
        fi
    done
    if [ -z "$best" ]; then
        echo "Threefold needs a JDK 21 or newer, and none was found in JAVA_HOME, on PATH or under /usr/lib/jvm: install one (for example Temurin 21) or set JAVA_HOME." >&2
        return 1
    fi
    JAVA_HOME=$best
    export JAVA_HOME
    THREEFOLD_JDK_FROM="the newest JDK under /usr/lib/jvm"
}

threefold_select_jdk || exit 1
THREEFOLD_JAVA_MAJOR=$(threefold_java_major "$JAVA_HOME/bin/java")
# JDK 24+ warns about sun.misc.Unsafe use inside Maven's own libraries unless allowed.
if [ "$THREEFOLD_JAVA_MAJOR" -ge 24 ] 2>/dev/null; then
    case "${MAVEN_OPTS:-}" in
        *--sun-misc-unsafe-memory-access*) ;;
        *) MAVEN_OPTS="${MAVEN_OPTS:+$MAVEN_OPTS }--sun-misc-unsafe-memory-access=allow"; export MAVEN_OPTS ;;
    esac
fi
