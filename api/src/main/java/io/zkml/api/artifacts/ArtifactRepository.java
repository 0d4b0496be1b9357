package io.zkml.api.artifacts;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Optional;

import tools.jackson.databind.json.JsonMapper;

import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

/**
 * Content-addressed artifacts in PostgreSQL: the key is the SHA-256 of the bytes, so storing the
 * same bytes twice is a no-op and a reader can check what it got.
 */
@Repository
public class ArtifactRepository {

    private final JdbcClient jdbc;
    private final JsonMapper json;

    public ArtifactRepository(JdbcClient jdbc, JsonMapper json) {
        this.jdbc = jdbc;
        this.json = json;
    }

    /** Stores the bytes (if not there yet) and returns their SHA-256 (lowercase hex). */
    public String put(ArtifactKind kind, byte[] bytes, ArtifactVersions versions) {
        String sha = sha256(bytes);
        jdbc.sql("""
                INSERT INTO artifacts (sha256, kind, size_bytes, bytes, versions) VALUES (?, ?, ?, ?, ?::jsonb)
                ON CONFLICT (sha256) DO NOTHING
                """)
                .params(sha, kind.dbName(), (long) bytes.length, bytes, json.writeValueAsString(versions))
                .update();
        return sha;
    }

    public Optional<StoredArtifact> find(String sha256) {
        return jdbc.sql("SELECT sha256, kind, bytes, versions FROM artifacts WHERE sha256 = ?")
                .param(sha256)
                .query((rs, n) -> new StoredArtifact(rs.getString("sha256"), ArtifactKind.fromDb(rs.getString("kind")),
                        rs.getBytes("bytes"), json.readValue(rs.getString("versions"), ArtifactVersions.class)))
                .optional();
    }

    /** The versions recorded for an artifact, without loading its bytes. */
    public Optional<ArtifactVersions> versions(String sha256) {
        return jdbc.sql("SELECT versions FROM artifacts WHERE sha256 = ?")
                .param(sha256)
                .query((rs, n) -> json.readValue(rs.getString(1), ArtifactVersions.class))
                .optional();
    }

    public static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
