package io.zkml.api.security;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;

import javax.sql.DataSource;

import org.springframework.jdbc.support.JdbcTransactionManager;
import org.springframework.transaction.TransactionDefinition;

/**
 * The application's transaction manager: at the start of a transaction on a request thread it sets
 * the PostgreSQL setting {@code zkml.owner} to the caller's owner, for that transaction only
 * ({@code set_config(..., true)}). The {@code owner} columns default to it (V9,
 * {@code zkml_request_owner()}), so every model, circuit, inference and idempotency key a request
 * creates belongs to its caller without the services passing the owner around. Transactions of the
 * job workers have no caller and set nothing.
 */
class OwnerTransactionManager extends JdbcTransactionManager {

    private static final long serialVersionUID = 1L;

    OwnerTransactionManager(DataSource dataSource) {
        super(dataSource);
    }

    @Override
    protected void prepareTransactionalConnection(Connection con, TransactionDefinition definition) throws SQLException {
        super.prepareTransactionalConnection(con, definition);
        var caller = RequestOwner.current();
        if (caller.isPresent()) {
            try (PreparedStatement ps = con.prepareStatement("SELECT set_config('zkml.owner', ?, true)")) {
                ps.setString(1, caller.get().owner());
                ps.execute();
            }
        }
    }
}
