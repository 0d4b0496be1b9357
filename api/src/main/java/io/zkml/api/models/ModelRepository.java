package io.zkml.api.models;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

import tools.jackson.core.type.TypeReference;

import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

import io.zkml.api.support.Json;

/** The {@code models} table. */
@Repository
public class ModelRepository {

    private static final TypeReference<List<String>> STRINGS = new TypeReference<>() { };
    private static final String COLUMNS = "id, name, format, sha256, model_class, task, family, member_count, max_depth, features, outputs, size_bytes, created_at";

    private final JdbcClient jdbc;
    private final Json json;

    public ModelRepository(JdbcClient jdbc, Json json) {
        this.jdbc = jdbc;
        this.json = json;
    }

    public void insert(ModelRecord m, byte[] bytes) {
        jdbc.sql("""
                INSERT INTO models (id, name, format, sha256, model_class, task, family, member_count, max_depth,
                                    features, outputs, size_bytes, bytes)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?::jsonb, ?::jsonb, ?, ?)
                """)
                .params(m.id(), m.name(), m.format(), m.sha256(), m.modelClass(), m.task(), m.family(), m.memberCount(),
                        m.maxDepth(), json.write(m.features()),
                        json.write(m.outputs()), m.sizeBytes(), bytes)
                .update();
    }

    /** Issue 9: the upload's free-form metadata map (V42), stored once. */
    public void setMetadata(UUID id, java.util.Map<String, String> metadata) {
        io.zkml.api.support.Metadata.store(jdbc, json, "models", id, metadata);
    }

    /** The upload's metadata map, or null. */
    public java.util.Map<String, String> metadata(UUID id) {
        return io.zkml.api.support.Metadata.read(jdbc, json, "models", id);
    }

    /** Issue 6: the class labels named at upload (the {@code labels} field), or null. */
    public void setLabels(UUID id, List<String> labels) {
        jdbc.sql("UPDATE models SET labels = ?::jsonb WHERE id = ?").params(json.write(labels), id).update();
    }

    /** The class labels named at upload, or null. */
    public List<String> labels(UUID id) {
        String s = jdbc.sql("SELECT labels FROM models WHERE id = ?").param(id).query((rs, n) -> rs.getString(1))
                .optional().orElse(null);
        return s == null ? null : json.read(s, STRINGS);
    }

    public Optional<ModelRecord> find(UUID id) {
        return jdbc.sql("SELECT " + COLUMNS + " FROM models WHERE id = ?").param(id).query(this::map).optional();
    }

    /** The uploaded bytes of a model. */
    public Optional<byte[]> bytes(UUID id) {
        return jdbc.sql("SELECT bytes FROM models WHERE id = ?").param(id).query((rs, n) -> rs.getBytes(1)).optional();
    }

    private ModelRecord map(ResultSet rs, int n) throws SQLException {
        return new ModelRecord(rs.getObject("id", UUID.class), rs.getString("name"), rs.getString("format"),
                rs.getString("sha256"), rs.getString("model_class"), rs.getString("task"),
                rs.getString("family"), rs.getInt("member_count"), rs.getInt("max_depth"),
                json.read(rs.getString("features"), STRINGS), json.read(rs.getString("outputs"), STRINGS),
                rs.getInt("size_bytes"), rs.getTimestamp("created_at").toInstant());
    }

    /**
     * A page of an owner's models, newest first: at most {@code limit + 1} rows after {@code after}
     * (null: from the newest), see {@link io.zkml.api.support.Pages}.
     */
    public List<ModelRecord> listByOwner(String owner, io.zkml.api.support.Pages.Cursor after, int limit) {
        return jdbc.sql("SELECT " + COLUMNS + " FROM models WHERE owner = :owner AND " + io.zkml.api.support.Pages.AFTER
                        + " ORDER BY created_at DESC, id DESC LIMIT :limit")
                .param("owner", owner)
                .param("afterAt", after == null ? null : after.createdAt())
                .param("afterId", after == null ? null : after.id())
                .param("limit", limit + 1)
                .query(this::map).list();
    }
}
