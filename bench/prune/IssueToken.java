import app.threefold.account.ApiTokens;
import java.security.SecureRandom;
import java.time.Clock;
import org.jdbi.v3.core.Jdbi;

/**
 * Issues an API token for the bench (the appliance has no command for it yet): run with the
 * appliance's jar on the class path, {@code java -cp threefold.jar IssueToken.java JDBC_URL ADMIN}.
 * A Bearer token costs a SHA-256 per request; HTTP Basic costs an Argon2id, CPU the prune needs.
 */
public final class IssueToken {
    public static void main(String[] args) {
        System.out.println(new ApiTokens(Jdbi.create(args[0]), Clock.systemUTC(), new SecureRandom())
                .create(args[1], "bench").secret());
    }
}
