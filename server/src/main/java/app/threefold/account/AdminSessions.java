package app.threefold.account;

import java.sql.Timestamp;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import org.jdbi.v3.core.Jdbi;

/**
 * The catalog's {@code admin_sessions}: the panel's browser sessions, kept so that a restart logs
 * nobody out. Sessions are known by a SHA-256 of their id (hex here), never by the id a cookie
 * carries, so a copy of the catalog holds no cookie anyone could present. Read and written here only;
 * the cookies, CSRF checks and idle expiry are the panel's.
 */
public final class AdminSessions {

    private static final HexFormat HEX = HexFormat.of();

    /** A stored session; {@code userId} 0 for an anonymous one (login and setup forms). */
    public record Row(long userId, String csrf, Instant expires) {
    }

    private final Jdbi jdbi;

    public AdminSessions(Jdbi jdbi) {
        this.jdbi = Objects.requireNonNull(jdbi);
    }

    public Optional<Row> find(String idHash) {
        return jdbi.withHandle(h -> h.createQuery("SELECT user_id, csrf, expires FROM admin_sessions WHERE id_hash = :h")
                .bind("h", HEX.parseHex(idHash))
                .map((rs, c) -> {
                    Long userId = (Long) rs.getObject("user_id");
                    return new Row(userId == null ? 0 : userId, rs.getString("csrf"), rs.getTimestamp("expires").toInstant());
                })
                .findOne());
    }

    /** Adds a session; {@code userId} 0 for an anonymous one. */
    public void add(String idHash, long userId, String csrf, Instant expires) {
        jdbi.useHandle(h -> h.createUpdate("INSERT INTO admin_sessions (id_hash, user_id, csrf, expires) VALUES (:h, :u, :c, :e)")
                .bind("h", HEX.parseHex(idHash)).bind("u", userId == 0 ? null : userId).bind("c", csrf)
                .bind("e", Timestamp.from(expires)).execute());
    }

    public void renew(String idHash, Instant expires) {
        jdbi.useHandle(h -> h.createUpdate("UPDATE admin_sessions SET expires = :e WHERE id_hash = :h")
                .bind("e", Timestamp.from(expires)).bind("h", HEX.parseHex(idHash)).execute());
    }

    public void remove(String idHash) {
        jdbi.useHandle(h -> h.createUpdate("DELETE FROM admin_sessions WHERE id_hash = :h")
                .bind("h", HEX.parseHex(idHash)).execute());
    }

    /**
     * Removes every session of {@code userId} but the one {@code keptHash} (empty: none).
     *
     * @return the hashes of the sessions removed
     */
    public List<String> removeAllOf(long userId, String keptHash) {
        return jdbi.withHandle(h -> h.createQuery("DELETE FROM admin_sessions WHERE user_id = :u AND id_hash <> :k RETURNING id_hash")
                .bind("u", userId).bind("k", HEX.parseHex(keptHash))
                .mapTo(byte[].class).map(HEX::formatHex).list());
    }

    /**
     * Removes the sessions that expired before {@code now}.
     *
     * @return the hashes of the sessions removed
     */
    public List<String> removeExpired(Instant now) {
        return jdbi.withHandle(h -> h.createQuery("DELETE FROM admin_sessions WHERE expires < :now RETURNING id_hash")
                .bind("now", Timestamp.from(now))
                .mapTo(byte[].class).map(HEX::formatHex).list());
    }
}
