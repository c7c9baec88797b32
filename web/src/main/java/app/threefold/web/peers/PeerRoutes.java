package app.threefold.web.peers;

import app.threefold.ThreefoldException;
import app.threefold.peer.Guest;
import app.threefold.peer.Guests;
import app.threefold.peer.Invite;
import app.threefold.peer.Pairing;
import app.threefold.peer.SeedImport;
import app.threefold.web.PeerServices;
import app.threefold.web.api.ApiErrors;
import app.threefold.web.page.Format;
import app.threefold.web.page.Layout;
import app.threefold.web.page.Pages;
import app.threefold.web.session.Access;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import io.javalin.http.HttpStatus;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Friends page ({@code /friends}, admins only, docs/peers.md): on the host side, the invite
 * form (the code is shown once), the guests with their usage, quota, last contact, pending
 * deletions (cancel), seeding, unpairing and "pair back"; on the guest side, "Add a friend's NAS"
 * with a code and the friends keeping this appliance's copy.
 */
public final class PeerRoutes {
    private static final Logger log = LoggerFactory.getLogger(PeerRoutes.class);
    /** GB in the forms, as disks are sold. */
    private static final long GB = 1_000_000_000L;

    /** One guest as the page shows it; {@code quiet} when not seen for the warning's days (or never). */
    public record GuestRow(Guest guest, String lastContact, boolean quiet, String usage) {
    }

    /** The invite form's values (kept on a refusal), or a reciprocal invite's. */
    public record InviteForm(String name, String host, String port, String quotaGb, String validDays) {
    }

    /**
     * The page's model.
     *
     * @param invites     the invites whose codes still work
     * @param code        the code just made (shown once), or null
     * @param pairBack    the guest whose appliance this one is about to pair back with, or null
     * @param message     what just happened (paired, imported…), or null
     */
    public record FriendsPage(Layout layout, List<GuestRow> guests, List<Pairing> pairings, List<Invite.Open> invites,
            InviteForm invite, String code,
            Instant codeExpires, Guest pairBack, String error, String message, int graceDays, int warnDays) {
    }

    private final PeerServices peers;
    private final Clock clock;
    private final Pages pages;

    public PeerRoutes(PeerServices peers, Clock clock, Pages pages) {
        this.peers = peers;
        this.clock = clock;
        this.pages = pages;
    }

    public void addTo(RoutesConfig routes) {
        routes.get("/friends", ctx -> {
            Access.requireAdmin(ctx);
            Guest back = ctx.queryParam("pairBack") == null ? null : peers.guests().guest(ctx.queryParam("pairBack"));
            show(ctx, emptyInvite(), null, null, back, null, ctx.queryParam("done"));
        });
        routes.post("/friends/invite", this::invite);
        routes.post("/friends/invites/{id}/withdraw", ctx -> act(ctx, () -> {
            peers.guests().withdrawInvite(Long.parseLong(ctx.pathParam("id")), Access.viewer(ctx).name());
            return "Withdrawn: that code no longer pairs; whoever tries it is told you withdrew it.";
        }));
        routes.post("/friends/pair", this::pair);
        routes.post("/friends/pairings/{id}/unpair", ctx -> act(ctx, () -> {
            peers.pairings().unpair(Long.parseLong(ctx.pathParam("id")), Access.viewer(ctx).name());
            return "Unpaired; this appliance's key for it is deleted.";
        }));
        routes.post("/friends/guests/{user}/unpair", ctx -> act(ctx, () -> {
            peers.guests().unpair(ctx.pathParam("user"), Access.viewer(ctx).name());
            return "Unpaired: " + ctx.pathParam("user") + " can no longer log in. Its folder stays until you delete it.";
        }));
        routes.post("/friends/guests/{user}/cancel-deletion", ctx -> act(ctx, () -> {
            peers.guests().cancelDeletion(ctx.pathParam("user"), ctx.formParam("path"), Access.viewer(ctx).name());
            return "Kept " + ctx.formParam("path") + ": its deletion is cancelled.";
        }));
        routes.post("/friends/guests/{user}/seed", ctx -> act(ctx, () -> {
            String from = ctx.formParam("path") == null ? "" : ctx.formParam("path").strip();
            SeedImport done = peers.guests().importSeed(ctx.pathParam("user"), Path.of(from),
                    Access.viewer(ctx).name());
            return "Seed imported: " + Format.plural(done.copied(), "file") + " copied (" + Format.bytes(done.bytes()) + "), "
                    + Format.plural(done.alreadyThere(), "file") + " already there.";
        }));
        routes.post("/friends/settings", ctx -> act(ctx, () -> {
            peers.guests().setGraceDays(number(ctx.formParam("graceDays"), "The grace period"), Access.viewer(ctx).name());
            return "Guests' deletions now wait " + peers.guests().graceDays() + " days.";
        }));
    }

    private interface Action {
        String run();
    }

    /** Runs a form's action, then shows the page with what happened or why it was refused. */
    private void act(Context ctx, Action action) {
        Access.requireAdmin(ctx);
        String message;
        try {
            message = action.run();
        } catch (ThreefoldException e) {
            ctx.status(ApiErrors.statusOf(e.kind()));
            show(ctx, emptyInvite(), null, null, null, e.getMessage(), null);
            return;
        } catch (NumberFormatException | java.nio.file.InvalidPathException e) {
            ctx.status(HttpStatus.BAD_REQUEST);
            show(ctx, emptyInvite(), null, null, null, "That is not a number or a path: " + e.getMessage(), null);
            return;
        } catch (java.io.UncheckedIOException e) {
            // A seed disk that failed mid-copy: the owner reads what broke, not an error page.
            log.warn("a Friends action failed", e);
            ctx.status(HttpStatus.INTERNAL_SERVER_ERROR);
            show(ctx, emptyInvite(), null, null, null, e.getMessage() + " (" + e.getCause().getMessage() + ")", null);
            return;
        }
        show(ctx, emptyInvite(), null, null, null, null, message);
    }

    private void invite(Context ctx) {
        Access.requireAdmin(ctx);
        InviteForm form = new InviteForm(value(ctx, "name"), value(ctx, "host"), value(ctx, "port"), value(ctx, "quotaGb"),
                value(ctx, "validDays"));
        try {
            long quota = Math.round(Double.parseDouble(form.quotaGb().isEmpty() ? "0" : form.quotaGb()) * GB);
            Invite invite = peers.guests().invite(form.name(), form.host(), number(form.port(), "The port"), quota,
                    Duration.ofDays(form.validDays().isEmpty() ? Guests.INVITE_VALIDITY.toDays() : number(form.validDays(),
                            "The validity")), Access.viewer(ctx).name());
            show(ctx, form, invite.code(), invite.expires(), null, null, null);
        } catch (ThreefoldException e) {
            ctx.status(ApiErrors.statusOf(e.kind()));
            show(ctx, form, null, null, null, e.getMessage(), null);
        } catch (NumberFormatException e) {
            ctx.status(HttpStatus.BAD_REQUEST);
            show(ctx, form, null, null, null, "Give the port, the space (in GB) and the days as numbers.", null);
        }
    }

    private void pair(Context ctx) {
        Access.requireAdmin(ctx);
        String expected = value(ctx, "expectHostKey");
        try {
            Pairing p = peers.pairings().accept(value(ctx, "code"), value(ctx, "name"), expected.isEmpty() ? null : expected,
                    Access.viewer(ctx).name());
            show(ctx, emptyInvite(), null, null, null, null, "Paired with " + p.name() + " (" + p.host() + ":" + p.port()
                    + "): it keeps up to " + Format.bytes(p.quota()) + " of this appliance's copy.");
        } catch (ThreefoldException e) {
            ctx.status(ApiErrors.statusOf(e.kind()));
            show(ctx, emptyInvite(), null, null, null, e.getMessage(), null);
        }
    }

    private InviteForm emptyInvite() {
        int port = peers.sftpPort().getAsInt();
        return new InviteForm("", "", port > 0 ? Integer.toString(port) : "", "500", Long.toString(Guests.INVITE_VALIDITY.toDays()));
    }

    private void show(Context ctx, InviteForm form, String code, Instant expires, Guest pairBack, String error, String message) {
        int status = ctx.statusCode();
        Instant now = clock.instant();
        int warn = peers.guests().warnDays();
        List<GuestRow> rows = peers.guests().list().stream().map(g -> new GuestRow(g, Format.age(g.lastContact(), now),
                g.paired() && (g.lastContact() == null || g.lastContact().isBefore(now.minus(Duration.ofDays(warn)))),
                Format.bytes(g.usage()) + " of " + Format.bytes(g.quota()))).toList();
        pages.render(ctx, "friends.jte", new FriendsPage(Access.layout(ctx, "Friends", "friends"), rows, peers.pairings().list(),
                peers.guests().openInvites(), form, code, expires, pairBack, error, message, peers.guests().graceDays(), warn));
        ctx.status(status);
    }

    private static String value(Context ctx, String field) {
        String v = ctx.formParam(field);
        return v == null ? "" : v.strip();
    }

    private static int number(String text, String what) {
        try {
            return Integer.parseInt(text == null ? "" : text.strip());
        } catch (NumberFormatException e) {
            throw new NumberFormatException(what + " is a whole number, not \"" + text + "\"");
        }
    }
}
