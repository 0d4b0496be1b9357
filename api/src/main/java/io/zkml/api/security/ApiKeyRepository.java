package io.zkml.api.security;

import java.sql.Array;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;

import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

/** The {@code api_keys} table (V9). */
@Repository
public class ApiKeyRepository {

    private static final String COLUMNS = "id, owner, name, key_prefix, scopes, proofs_per_minute, max_concurrent_jobs, "
            + "created_at, revoked_at";

    private final JdbcClient jdbc;

    public ApiKeyRepository(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    /** Inserts a key; false if a key with this hash exists already (nothing is changed then). */
    public boolean insert(ApiKey key, String sha256) {
        return jdbc.sql("""
                INSERT INTO api_keys (id, owner, name, key_sha256, key_prefix, scopes, proofs_per_minute, max_concurrent_jobs)
                VALUES (?, ?, ?, ?, ?, ?::text[], ?, ?)
                ON CONFLICT (key_sha256) DO NOTHING
                """)
                .params(key.id(), key.owner(), key.name(), sha256, key.prefix(), arrayLiteral(key.scopes()),
                        key.proofsPerMinute(), key.maxConcurrentJobs())
                .update() == 1;
    }

    public Optional<ApiKey> findBySha256(String sha256) {
        return jdbc.sql("SELECT " + COLUMNS + " FROM api_keys WHERE key_sha256 = ?").param(sha256)
                .query(ApiKeyRepository::map).optional();
    }

    public Optional<ApiKey> find(UUID id) {
        return jdbc.sql("SELECT " + COLUMNS + " FROM api_keys WHERE id = ?").param(id).query(ApiKeyRepository::map).optional();
    }

    /** Every key, newest first. */
    public List<ApiKey> list() {
        return jdbc.sql("SELECT " + COLUMNS + " FROM api_keys ORDER BY created_at DESC, id DESC")
                .query(ApiKeyRepository::map).list();
    }

    /** Revokes a key (once; a second revocation keeps the first time); false if there is no such key. */
    public boolean revoke(UUID id) {
        return jdbc.sql("UPDATE api_keys SET revoked_at = coalesce(revoked_at, now()) WHERE id = ?").param(id).update() == 1;
    }

    private static String arrayLiteral(Set<Scope> scopes) {
        StringBuilder b = new StringBuilder("{");
        for (Scope s : scopes) {
            if (b.length() > 1) {
                b.append(',');
            }
            b.append(s.apiName());
        }
        return b.append('}').toString();
    }

    private static ApiKey map(ResultSet rs, int n) throws SQLException {
        Set<Scope> scopes = EnumSet.noneOf(Scope.class);
        Array a = rs.getArray("scopes");
        for (Object o : (Object[]) a.getArray()) {
            Scope.parse((String) o).ifPresent(scopes::add);
        }
        return new ApiKey(rs.getObject("id", UUID.class), rs.getString("owner"), rs.getString("name"),
                rs.getString("key_prefix"), Set.copyOf(scopes), (Integer) rs.getObject("proofs_per_minute"),
                (Integer) rs.getObject("max_concurrent_jobs"), instant(rs.getTimestamp("created_at")),
                instant(rs.getTimestamp("revoked_at")));
    }

    private static Instant instant(Timestamp t) {
        return t == null ? null : t.toInstant();
    }
}
