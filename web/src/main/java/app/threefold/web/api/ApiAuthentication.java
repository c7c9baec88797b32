package app.threefold.web.api;

import app.threefold.access.People;
import app.threefold.access.Role;
import app.threefold.account.Accounts;
import app.threefold.account.AdminUser;
import app.threefold.account.ApiTokens;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import io.javalin.http.UnauthorizedResponse;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Base64;
import java.util.Optional;

/**
 * Guards everything under {@code /api}: an administrator's HTTP Basic credentials or
 * {@code Authorization: Bearer <token>}. The authenticated admin is available to handlers through
 * {@link #admin(Context)}.
 */
public final class ApiAuthentication {

    static final String CHALLENGE = "Basic realm=\"Threefold\", charset=\"UTF-8\"";
    private static final String ADMIN = "threefold.admin";

    private final Accounts accounts;
    private final ApiTokens apiTokens;
    private final People people;

    public ApiAuthentication(Accounts accounts, ApiTokens apiTokens, People people) {
        this.accounts = accounts;
        this.apiTokens = apiTokens;
        this.people = people;
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
        Optional<AdminUser> admin = Optional.empty();
        if (header != null && header.regionMatches(true, 0, "Bearer ", 0, 7)) {
            admin = apiTokens.verify(header.substring(7).trim());
        } else if (header != null && header.regionMatches(true, 0, "Basic ", 0, 6)) {
            admin = basic(header.substring(6).trim());
        }
        if (admin.isEmpty()) {
            throw new UnauthorizedResponse(header == null
                    ? "Authentication required: use HTTP Basic with an admin account or a Bearer API token."
                    : "Wrong credentials.");
        }
        // Household members use the panel; the API is for administrators and their scripts.
        if (people.find(admin.get().id()).map(p -> p.role() != Role.ADMIN).orElse(true)) {
            throw new io.javalin.http.ForbiddenResponse("The API is for administrators; this account is a household member.");
        }
        ctx.attribute(ADMIN, admin.get());
    }

    private Optional<AdminUser> basic(String encoded) {
        byte[] decoded;
        try {
            decoded = Base64.getDecoder().decode(encoded);
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
        char[] chars;
        try {
            CharBuffer buffer = StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .decode(java.nio.ByteBuffer.wrap(decoded));
            chars = Arrays.copyOfRange(buffer.array(), buffer.position(), buffer.limit());
            Arrays.fill(buffer.array(), '\0');
        } catch (CharacterCodingException e) {
            return Optional.empty();
        } finally {
            Arrays.fill(decoded, (byte) 0);
        }
        try {
            int colon = indexOf(chars, ':');
            if (colon < 0) {
                return Optional.empty();
            }
            return accounts.verifyLogin(new String(chars, 0, colon), Arrays.copyOfRange(chars, colon + 1, chars.length));
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
