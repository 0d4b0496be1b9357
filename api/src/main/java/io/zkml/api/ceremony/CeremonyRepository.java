package io.zkml.api.ceremony;

import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

/** The {@code ceremonies} and {@code ceremony_contributions} tables (V26). */
@Repository
public class CeremonyRepository {

    /** A ceremony row. */
    public record Ceremony(UUID circuitId, String phase1Sha256, String srsSha256, int srsPower, int minContributions,
                           String beacon, Instant finalizedAt, Instant createdAt) {
    }

    /** One state of the chain: 0 initial, 1 the service's, then the uploaded ones. */
    public record Contribution(int index, String stateSha256, String contributor, Instant createdAt) {
    }

    private final JdbcClient jdbc;

    public CeremonyRepository(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    public void create(UUID circuitId, String phase1Sha256, String srsSha256, int srsPower, int minContributions) {
        jdbc.sql("INSERT INTO ceremonies (circuit_id, phase1_sha256, srs_sha256, srs_power, min_contributions) VALUES (?, ?, ?, ?, ?)")
                .params(circuitId, phase1Sha256, srsSha256, srsPower, minContributions).update();
    }

    public void addState(UUID circuitId, int index, String stateSha256, String contributor) {
        jdbc.sql("INSERT INTO ceremony_contributions (circuit_id, index, state_sha256, contributor) VALUES (?, ?, ?, ?)")
                .params(circuitId, index, stateSha256, contributor).update();
    }

    public Optional<Ceremony> find(UUID circuitId) {
        return jdbc.sql("SELECT * FROM ceremonies WHERE circuit_id = ?").param(circuitId).query(this::map).optional();
    }

    /** The ceremony, locked for the rest of the transaction (uploads and finalize are serialized). */
    public Optional<Ceremony> lock(UUID circuitId) {
        return jdbc.sql("SELECT * FROM ceremonies WHERE circuit_id = ? FOR UPDATE").param(circuitId).query(this::map).optional();
    }

    public List<Contribution> states(UUID circuitId) {
        return jdbc.sql("SELECT * FROM ceremony_contributions WHERE circuit_id = ? ORDER BY index")
                .param(circuitId)
                .query((rs, n) -> new Contribution(rs.getInt("index"), rs.getString("state_sha256"), rs.getString("contributor"),
                        rs.getTimestamp("created_at").toInstant()))
                .list();
    }

    public void finalize(UUID circuitId, String beacon) {
        jdbc.sql("UPDATE ceremonies SET beacon = ?, finalized_at = now() WHERE circuit_id = ?").params(beacon, circuitId).update();
    }

    private Ceremony map(java.sql.ResultSet rs, int n) throws java.sql.SQLException {
        java.sql.Timestamp f = rs.getTimestamp("finalized_at");
        return new Ceremony(rs.getObject("circuit_id", UUID.class), rs.getString("phase1_sha256"), rs.getString("srs_sha256"),
                rs.getInt("srs_power"), rs.getInt("min_contributions"), rs.getString("beacon"), f == null ? null : f.toInstant(),
                rs.getTimestamp("created_at").toInstant());
    }
}
