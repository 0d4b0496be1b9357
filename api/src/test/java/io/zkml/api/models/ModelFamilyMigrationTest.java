package io.zkml.api.models;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.UUID;

import com.zaxxer.hikari.HikariDataSource;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import org.springframework.dao.DataIntegrityViolationException;
import org.springframework.jdbc.core.simple.JdbcClient;

import io.zkml.api.db.embedded.EmbeddedPostgres;
import io.zkml.api.testing.TestPostgres;

/** V3__model_family: models stored before it are linear, one member, depth 0; new rows must say. */
class ModelFamilyMigrationTest {

    @TempDir
    Path dir;

    @Test
    void existingModelsBecomeLinearAndTheColumnsAreRequiredAfterwards() {
        try (EmbeddedPostgres pg = EmbeddedPostgres.start(TestPostgres.settings(dir));
             HikariDataSource ds = new HikariDataSource()) {
            ds.setJdbcUrl(pg.jdbcUrl());
            ds.setUsername(pg.user());
            ds.setPassword(pg.password());
            Flyway.configure().dataSource(ds).locations("classpath:db/migrations").target("2").load().migrate();
            JdbcClient jdbc = JdbcClient.create(ds);
            UUID old = UUID.randomUUID();
            jdbc.sql("""
                    INSERT INTO models (id, name, format, sha256, model_class, task, features, outputs, size_bytes, bytes)
                    VALUES (?, 'old', 'tribuo', repeat('a', 64), 'org.tribuo.classification.sgd.linear.LinearSGDModel',
                            'classification', '["x"]', '["a", "b"]', 3, '\\x010203')
                    """).param(old).update();

            TestPostgres.migrate(ds);

            var row = jdbc.sql("SELECT family, member_count, max_depth FROM models WHERE id = ?").param(old)
                    .query((rs, n) -> rs.getString(1) + "/" + rs.getInt(2) + "/" + rs.getInt(3)).single();
            assertThat(row).isEqualTo("linear/1/0");
            assertThat(jdbc.sql("""
                    SELECT count(*) FROM information_schema.columns
                    WHERE table_name = 'models' AND column_name IN ('family', 'member_count', 'max_depth')
                      AND is_nullable = 'NO'
                    """).query(Integer.class).single()).isEqualTo(3);

            String insert = """
                    INSERT INTO models (id, name, format, sha256, model_class, task, features, outputs, size_bytes, bytes%s)
                    VALUES (gen_random_uuid(), 'new', 'tribuo', repeat('b', 64), 'org.tribuo.common.tree.TreeModel',
                            'classification', '["x"]', '["a", "b"]', 3, '\\x010203'%s)
                    """;
            assertThatThrownBy(() -> jdbc.sql(insert.formatted("", "")).update())
                    .as("a new row must state its family").isInstanceOf(DataIntegrityViolationException.class);
            assertThatThrownBy(() -> jdbc.sql(insert.formatted(", family, member_count, max_depth", ", 'forest', 1, 2")).update())
                    .isInstanceOf(DataIntegrityViolationException.class);
            assertThatThrownBy(() -> jdbc.sql(insert.formatted(", family, member_count, max_depth", ", 'linear', 1, 2")).update())
                    .isInstanceOf(DataIntegrityViolationException.class);
            assertThat(jdbc.sql(insert.formatted(", family, member_count, max_depth", ", 'ensemble', 7, 4")).update())
                    .isEqualTo(1);
        }
    }
}
