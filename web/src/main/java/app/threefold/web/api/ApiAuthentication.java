package app.threefold.web.api;

import app.threefold.access.People;
import app.threefold.access.Role;
import app.threefold.account.Accounts;
import app.threefold.account.AdminUser;
import app.threefold.account.ApiTokens;
import app.threefold.audit.AuditLog;
import app.threefold.login.LoginThrottle;
import app.threefold.login.LoginThrottle.Attempt;
import app.threefold.login.LoginThrottle.Block;
import app.threefold.login.LoginThrottle.Realm;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import io.javalin.http.HttpResponseException;
import io.javalin.http.HttpStatus;
import io.javalin.http.UnauthorizedResponse;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.Arrays;
import java.util.Base64;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Guards everything under {@code /api}: an administrator's HTTP Basic credentials or
 * {@code Authorization: Bearer <token>}. The authenticated admin is available to handlers through
 * {@link #admin(Context)}. Wrong credentials count against the appliance's {@link LoginThrottle}
 * like the panel's and SFTP's: while the address or account is blocked, every request is answered
 * 429 with {@code Retry-After}, even with the right credentials.
 */
public final class ApiAuthentication {

    static final String CHALLENGE = "Basic realm=\"Threefold\", charset=\"UTF-8\"";
    private static final String ADMIN = "threefold.admin";
    private static final Logger log = LoggerFactory.getLogger(ApiAuthentication.class);

    private final Accounts accounts;
    private final ApiTokens apiTokens;
    private final People people;
    private final LoginThrottle throttle;
    private final AuditLog audit;
    private final Clock clock;

    public ApiAuthentication(Accounts accounts, ApiTokens apiTokens, People people, LoginThrottle throttle, AuditLog audit,
                             Clock clock) {
        this.accounts = accounts;
        this.apiTokens = apiTokens;
        this.people = people;
        this.throttle = throttle;
        this.audit = audit;
        this.clock = clock;
    }

    /** What an {@code Authorization} header offers: a token, or a name and password (null if malformed). */
    private record Credentials(String method, String name, char[] password, String token) {
    }

    public void addTo(RoutesConfig routes) {
        routes.before("/api/*", this::authenticate);
    }

    /** The administrator the current API request acts for. */
    public static AdminUser admin(Context ctx) {
        return ctx.attribute(ADMIN);
    }

    private void authenticate(Context ctx) {
        String header = ctx.header("Authorization");
        if (header == null) {
            throw new UnauthorizedResponse("Authentication required: use HTTP Basic with an admin account or a Bearer API token.");
        }
        Credentials credentials = header.regionMatches(true, 0, "Bearer ", 0, 7)
                ? new Credentials("bearer", null, null, header.substring(7).trim())
                : header.regionMatches(true, 0, "Basic ", 0, 6) ? basic(header.substring(6).trim())
                : new Credentials("other", null, null, null);
        Optional<AdminUser> admin;
        try {
            admin = check(ctx, credentials);
        } finally {
            if (credentials.password() != null) {
                Arrays.fill(credentials.password(), '\0');
            }
        }
        if (admin.isEmpty()) {
            throw new UnauthorizedResponse("Wrong credentials.");
        }
        // Household members use the panel; the API is for administrators and their scripts.
        if (people.find(admin.get().id()).map(p -> p.role() != Role.ADMIN).orElse(true)) {
            throw new io.javalin.http.ForbiddenResponse("The API is for administrators; this account is a household member.");
        }
        ctx.attribute(ADMIN, admin.get());
    }

    /** Checks the credentials under the throttle, logs and audits failures; throws 429 while blocked. */
    private Optional<AdminUser> check(Context ctx, Credentials credentials) {
        String address = ctx.ip();
        Attempt attempt = new Attempt(address, Realm.PEOPLE, credentials.name());
        String actor = credentials.name() != null ? credentials.name() : "(" + credentials.method() + ")";
        Optional<Block> block = throttle.attempt(attempt);
        if (block.isPresent()) {
            log.warn("API login refused for {} from {} ({}): blocked until {} after too many failed logins", actor, address,
                    credentials.method(), block.get().until());
            // The activity log gets the block's first refusal; a script that goes on fills only the log file.
            if (block.get().first()) {
                audit.record(actor, "login.api-blocked", Map.of("address", address, "method", credentials.method(),
                        "until", block.get().until().toString()));
            }
            long seconds = block.get().retryAfterSeconds(clock.instant());
            ctx.header("Retry-After", String.valueOf(seconds));
            throw new HttpResponseException(HttpStatus.TOO_MANY_REQUESTS.getCode(), "Too many failed logins from this"
                    + " address or for this account; try again in " + seconds + " seconds.");
        }
        Optional<AdminUser> admin;
        try {
            admin = credentials.token() != null ? apiTokens.verify(credentials.token())
                    : credentials.password() != null ? accounts.verifyLogin(credentials.name(), credentials.password())
                    : Optional.empty();
        } catch (RuntimeException e) {
            throttle.abandoned(attempt);
            throw e;
        }
        if (admin.isPresent()) {
            throttle.succeeded(attempt);
        } else {
            throttle.failed(attempt);
            log.warn("API login failed for {} from {} ({}): wrong credentials", actor, address, credentials.method());
            audit.record(actor, "login.api-failed", Map.of("address", address, "method", credentials.method()));
        }
        return admin;
    }

    private static Credentials basic(String encoded) {
        Credentials malformed = new Credentials("basic", null, null, null);
        byte[] decoded;
        try {
            decoded = Base64.getDecoder().decode(encoded);
        } catch (IllegalArgumentException e) {
            return malformed;
        }
        char[] chars;
        try {
            CharBuffer buffer = StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .decode(java.nio.ByteBuffer.wrap(decoded));
            chars = Arrays.copyOfRange(buffer.array(), buffer.position(), buffer.limit());
            Arrays.fill(buffer.array(), '\0');
        } catch (CharacterCodingException e) {
            return malformed;
        } finally {
            Arrays.fill(decoded, (byte) 0);
        }
        try {
            int colon = indexOf(chars, ':');
            if (colon < 0) {
                return malformed;
            }
            return new Credentials("basic", new String(chars, 0, colon), Arrays.copyOfRange(chars, colon + 1, chars.length), null);
        } finally {
            Arrays.fill(chars, '\0');
        }
    }

    private static int indexOf(char[] chars, char wanted) {
        for (int i = 0; i < chars.length; i++) {
            if (chars[i] == wanted) {
                return i;
            }
        }
        return -1;
    }
}
