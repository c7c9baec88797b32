package app.threefold.alert;

import app.threefold.sources.SourceScheduler;
import java.io.IOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Watches the conditions and tells people: every evaluation asks each {@link Condition} what is
 * wrong now, opens an incident for each new finding and clears those no longer found, then sends
 * what is not sent yet: one message when an incident opens, one when it clears. Re-evaluating an
 * unchanged state sends nothing, however often it runs; a message that reached no channel is tried
 * again at the next evaluation; an incident that opened and cleared before any channel heard of it
 * is not sent at all.
 */
public final class Alerts {

    private static final Logger log = LoggerFactory.getLogger(Alerts.class);
    private static final DateTimeFormatter WHEN = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm z");

    private final List<Condition> conditions;
    private final Incidents incidents;
    private final Channels channels;
    private final Clock clock;
    private final Duration every;
    private final AtomicReference<Instant> lastRun = new AtomicReference<>();

    /** @param every how often the scheduler evaluates (a check is cheap: catalog queries and one statvfs) */
    public Alerts(List<Condition> conditions, Incidents incidents, Channels channels, Clock clock, Duration every) {
        this.conditions = new ArrayList<>(conditions);
        this.incidents = Objects.requireNonNull(incidents);
        this.channels = Objects.requireNonNull(channels);
        this.clock = Objects.requireNonNull(clock);
        this.every = Objects.requireNonNull(every);
    }

    /** Adds a condition; the appliance wires the checks of other parts with one line each. */
    public Alerts watch(Condition condition) {
        conditions.add(Objects.requireNonNull(condition));
        return this;
    }

    /** What one evaluation did. */
    public record Outcome(int opened, int cleared, int sent, int failed) {
    }

    /** Evaluates every condition at the clock's now and sends what is due. Not concurrent with itself. */
    public synchronized Outcome evaluate() {
        Instant now = clock.instant();
        lastRun.set(now);
        Map<String, List<Incident>> open = new HashMap<>();
        incidents.open().forEach(i -> open.computeIfAbsent(i.condition(), k -> new ArrayList<>()).add(i));
        int opened = 0;
        int cleared = 0;
        for (Condition c : conditions) {
            List<Finding> found;
            try {
                found = c.check(now);
            } catch (RuntimeException e) {
                // Unknown is not "fine": its open incidents stay open until a check can tell again.
                log.warn("alert check '{}' failed; its incidents stay as they are: {}", c.id(), e.toString());
                continue;
            }
            Map<String, Finding> bySubject = new HashMap<>();
            found.forEach(f -> bySubject.putIfAbsent(f.subject(), f));
            List<Incident> mine = open.getOrDefault(c.id(), List.of());
            for (Finding f : bySubject.values()) {
                if (mine.stream().noneMatch(i -> i.subject().equals(f.subject()))) {
                    incidents.open(c.id(), f, now);
                    opened++;
                }
            }
            for (Incident i : mine) {
                if (!bySubject.containsKey(i.subject())) {
                    incidents.clear(i.id(), now);
                    cleared++;
                }
            }
        }
        int[] delivered = deliver(now);
        return new Outcome(opened, cleared, delivered[0], delivered[1]);
    }

    private int[] deliver(Instant now) {
        List<Incident> due = incidents.undelivered();
        if (due.isEmpty()) {
            return new int[] {0, 0};
        }
        List<Channel> to = channels.open();
        int sent = 0;
        int failed = 0;
        for (Incident i : due) {
            if (!i.openedSent() && !i.open()) {
                // Over before anyone heard of it: telling that a problem started and ended is noise.
                incidents.markClearedSent(i.id());
                continue;
            }
            if (to.isEmpty()) {
                continue;
            }
            Notice notice = i.openedSent() ? cleared(i) : opened(i);
            // Sent once it reached any channel: resending to all because one is broken would flood the others.
            boolean any = false;
            for (Channel ch : to) {
                try {
                    ch.send(notice);
                    any = true;
                    sent++;
                } catch (IOException | RuntimeException e) {
                    failed++;
                    log.warn("alert '{}' did not reach channel '{}': {}", notice.title(), ch.name(), e.getMessage());
                }
            }
            if (any) {
                if (i.openedSent()) {
                    incidents.markClearedSent(i.id());
                } else {
                    incidents.markOpenedSent(i.id());
                }
            }
        }
        return new int[] {sent, failed};
    }

    private Notice opened(Incident i) {
        String text = i.detail() + "\n\nProblem since " + WHEN.format(i.opened().atZone(ZoneId.systemDefault()))
                + " on Threefold (" + hostName() + "). You will get one more message when it is over.";
        return new Notice(Notice.Event.OPENED, i.condition(), i.subject(), "[Threefold] " + i.summary(), text, i.opened());
    }

    private Notice cleared(Incident i) {
        String text = "Resolved: " + i.summary() + ".\n\nThe problem began " + WHEN.format(i.opened().atZone(ZoneId.systemDefault()))
                + " and was over by " + WHEN.format(i.cleared().atZone(ZoneId.systemDefault())) + " on Threefold ("
                + hostName() + ").\n\nWhat was reported: " + i.detail();
        return new Notice(Notice.Event.CLEARED, i.condition(), i.subject(), "[Threefold] Resolved: " + i.summary(), text,
                i.cleared());
    }

    /** The name people know this appliance by in their messages. */
    static String hostName() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (UnknownHostException e) {
            return "this NAS";
        }
    }

    /** For the one scheduler: evaluates once {@code every} has passed since the last evaluation. */
    public SourceScheduler.Duty duty() {
        return new SourceScheduler.Duty() {
            @Override
            public boolean ready() {
                return true;
            }

            @Override
            public void startDue(Instant now) {
                Instant last = lastRun.get();
                if (last == null || !now.isBefore(last.plus(every))) {
                    try {
                        evaluate();
                    } catch (RuntimeException e) {
                        log.warn("evaluating alerts failed; trying again in {}: {}", every, e.toString());
                    }
                }
            }
        };
    }
}
