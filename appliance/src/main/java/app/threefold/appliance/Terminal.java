package app.threefold.appliance;

import java.io.PrintStream;
import java.util.Map;

/** What a command sees of the outside world; tests pass their own. */
record Terminal(Map<String, String> env, PrintStream out, PrintStream err) {
}
