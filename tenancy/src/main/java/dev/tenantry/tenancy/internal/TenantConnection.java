package dev.tenantry.tenancy.internal;

import dev.tenantry.core.NoTenantInScopeException;
import dev.tenantry.tenancy.hibernate.TenantSchema;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.sql.Array;
import java.sql.Blob;
import java.sql.CallableStatement;
import java.sql.Clob;
import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.NClob;
import java.sql.PreparedStatement;
import java.sql.SQLClientInfoException;
import java.sql.SQLException;
import java.sql.SQLWarning;
import java.sql.SQLXML;
import java.sql.Savepoint;
import java.sql.Statement;
import java.sql.Struct;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.Executor;

/**
 * A pooled connection lent to one tenant's work. It changes no session state: every SQL text that
 * passes through it has the {@link TenantSchema#PLACEHOLDER} replaced by the tenant's quoted schema,
 * which costs no round trip and leaves nothing behind when the connection returns to the pool.
 * Not API.
 */
public final class TenantConnection implements Connection {

    private final Connection delegate;
    private final String quotedSchema;
    private final String quotedRole;
    /** Where resolved texts are kept for reuse, or {@code null} to resolve every text afresh. */
    private final ResolvedSql texts;
    /** Whether {@code SET LOCAL ROLE} was sent in the transaction now open. */
    private boolean roleSet;

    public TenantConnection(Connection delegate, String quotedSchema) {
        this(delegate, quotedSchema, null);
    }

    /**
     * @param quotedRole with tenant roles on, the tenant's role: the first statement of each transaction
     *                   is preceded by {@code SET LOCAL ROLE}, which ends with the transaction
     */
    public TenantConnection(Connection delegate, String quotedSchema, String quotedRole) {
        this(delegate, quotedSchema, quotedRole, null);
    }

    /**
     * @param texts the pool's resolved texts, so that each statement's text reaches the driver as the same
     *              instance every time; {@code null} resolves every text afresh
     */
    public TenantConnection(Connection delegate, String quotedSchema, String quotedRole, ResolvedSql texts) {
        this.delegate = java.util.Objects.requireNonNull(delegate, "delegate");
        this.quotedSchema = quotedSchema;
        this.quotedRole = quotedRole;
        this.texts = texts;
    }

    /**
     * A connection lent with no tenant in scope (per request), for what needs none: metadata, {@code isValid}.
     * Every statement on it fails with {@link NoTenantInScopeException} before the driver sees its text.
     */
    public static TenantConnection withoutTenant(Connection delegate) {
        return new TenantConnection(delegate, null, null, null);
    }

    /** The schema this connection resolves the placeholder to, quoted; {@code null} for {@link #withoutTenant}. */
    public String quotedSchema() {
        return quotedSchema;
    }

    /** The pooled connection underneath. */
    public Connection delegate() {
        return delegate;
    }

    private String sql(String sql) throws SQLException {
        if (quotedSchema == null) {
            throw new NoTenantInScopeException();
        }
        if (quotedRole != null && !roleSet) {
            actAsTenantRole();
        }
        return texts == null ? TenantSchema.resolve(sql, quotedSchema) : texts.resolve(sql, quotedSchema);
    }

    /** One round trip per transaction, and only with tenant roles on; the role ends with the transaction. */
    private void actAsTenantRole() throws SQLException {
        if (delegate.getAutoCommit()) {
            throw new SQLException("Tenant roles are on: work in schema " + quotedSchema + " must run inside a"
                    + " transaction, so that its role ends with it; autocommit is on", "25P01");
        }
        try (Statement statement = delegate.createStatement()) {
            statement.execute("SET LOCAL ROLE " + quotedRole);
        }
        roleSet = true;
    }

    // ---- statements: the only calls that carry SQL text ----

    @Override
    public PreparedStatement prepareStatement(String sql) throws SQLException {
        return delegate.prepareStatement(sql(sql));
    }

    @Override
    public PreparedStatement prepareStatement(String sql, int resultSetType, int resultSetConcurrency) throws SQLException {
        return delegate.prepareStatement(sql(sql), resultSetType, resultSetConcurrency);
    }

    @Override
    public PreparedStatement prepareStatement(String sql, int resultSetType, int resultSetConcurrency,
                                              int resultSetHoldability) throws SQLException {
        return delegate.prepareStatement(sql(sql), resultSetType, resultSetConcurrency, resultSetHoldability);
    }

    @Override
    public PreparedStatement prepareStatement(String sql, int autoGeneratedKeys) throws SQLException {
        return delegate.prepareStatement(sql(sql), autoGeneratedKeys);
    }

    @Override
    public PreparedStatement prepareStatement(String sql, int[] columnIndexes) throws SQLException {
        return delegate.prepareStatement(sql(sql), columnIndexes);
    }

    @Override
    public PreparedStatement prepareStatement(String sql, String[] columnNames) throws SQLException {
        return delegate.prepareStatement(sql(sql), columnNames);
    }

    @Override
    public CallableStatement prepareCall(String sql) throws SQLException {
        return delegate.prepareCall(sql(sql));
    }

    @Override
    public CallableStatement prepareCall(String sql, int resultSetType, int resultSetConcurrency) throws SQLException {
        return delegate.prepareCall(sql(sql), resultSetType, resultSetConcurrency);
    }

    @Override
    public CallableStatement prepareCall(String sql, int resultSetType, int resultSetConcurrency,
                                         int resultSetHoldability) throws SQLException {
        return delegate.prepareCall(sql(sql), resultSetType, resultSetConcurrency, resultSetHoldability);
    }

    @Override
    public String nativeSQL(String sql) throws SQLException {
        return delegate.nativeSQL(sql(sql));
    }

    @Override
    public Statement createStatement() throws SQLException {
        return rewriting(delegate.createStatement());
    }

    @Override
    public Statement createStatement(int resultSetType, int resultSetConcurrency) throws SQLException {
        return rewriting(delegate.createStatement(resultSetType, resultSetConcurrency));
    }

    @Override
    public Statement createStatement(int resultSetType, int resultSetConcurrency, int resultSetHoldability)
            throws SQLException {
        return rewriting(delegate.createStatement(resultSetType, resultSetConcurrency, resultSetHoldability));
    }

    /** Plain statements take their SQL per call, so each String argument of theirs is resolved too. */
    private Statement rewriting(Statement statement) {
        InvocationHandler handler = (proxy, method, args) -> {
            switch (method.getName()) {
                case "equals": return proxy == args[0];
                case "hashCode": return System.identityHashCode(proxy);
                case "toString": return "TenantStatement[" + quotedSchema + ", " + statement + "]";
                default: break;
            }
            if (args != null && args.length > 0 && args[0] instanceof String && takesSql(method)) {
                args[0] = sql((String) args[0]);
            }
            if (method.getName().equals("getConnection") && method.getParameterCount() == 0) {
                return this;
            }
            try {
                return method.invoke(statement, args);
            } catch (InvocationTargetException e) {
                throw e.getCause();
            }
        };
        return (Statement) Proxy.newProxyInstance(Statement.class.getClassLoader(),
                new Class<?>[] {Statement.class}, handler);
    }

    private static boolean takesSql(Method method) {
        String name = method.getName();
        return name.startsWith("execute") || name.equals("addBatch");
    }

    // ---- everything else passes straight through ----

    @Override
    public void setAutoCommit(boolean autoCommit) throws SQLException {
        delegate.setAutoCommit(autoCommit);
        if (autoCommit) {
            roleSet = false; // switching autocommit on commits the open transaction
        }
    }

    @Override
    public boolean getAutoCommit() throws SQLException {
        return delegate.getAutoCommit();
    }

    @Override
    public void commit() throws SQLException {
        roleSet = false;
        delegate.commit();
    }

    @Override
    public void rollback() throws SQLException {
        roleSet = false;
        delegate.rollback();
    }

    @Override
    public void close() throws SQLException {
        delegate.close();
    }

    @Override
    public boolean isClosed() throws SQLException {
        return delegate.isClosed();
    }

    @Override
    public DatabaseMetaData getMetaData() throws SQLException {
        return delegate.getMetaData();
    }

    @Override
    public void setReadOnly(boolean readOnly) throws SQLException {
        delegate.setReadOnly(readOnly);
    }

    @Override
    public boolean isReadOnly() throws SQLException {
        return delegate.isReadOnly();
    }

    @Override
    public void setCatalog(String catalog) throws SQLException {
        delegate.setCatalog(catalog);
    }

    @Override
    public String getCatalog() throws SQLException {
        return delegate.getCatalog();
    }

    @Override
    public void setTransactionIsolation(int level) throws SQLException {
        delegate.setTransactionIsolation(level);
    }

    @Override
    public int getTransactionIsolation() throws SQLException {
        return delegate.getTransactionIsolation();
    }

    @Override
    public SQLWarning getWarnings() throws SQLException {
        return delegate.getWarnings();
    }

    @Override
    public void clearWarnings() throws SQLException {
        delegate.clearWarnings();
    }

    @Override
    public Map<String, Class<?>> getTypeMap() throws SQLException {
        return delegate.getTypeMap();
    }

    @Override
    public void setTypeMap(Map<String, Class<?>> map) throws SQLException {
        delegate.setTypeMap(map);
    }

    @Override
    public void setHoldability(int holdability) throws SQLException {
        delegate.setHoldability(holdability);
    }

    @Override
    public int getHoldability() throws SQLException {
        return delegate.getHoldability();
    }

    @Override
    public Savepoint setSavepoint() throws SQLException {
        return delegate.setSavepoint();
    }

    @Override
    public Savepoint setSavepoint(String name) throws SQLException {
        return delegate.setSavepoint(name);
    }

    @Override
    public void rollback(Savepoint savepoint) throws SQLException {
        delegate.rollback(savepoint);
    }

    @Override
    public void releaseSavepoint(Savepoint savepoint) throws SQLException {
        delegate.releaseSavepoint(savepoint);
    }

    @Override
    public Clob createClob() throws SQLException {
        return delegate.createClob();
    }

    @Override
    public Blob createBlob() throws SQLException {
        return delegate.createBlob();
    }

    @Override
    public NClob createNClob() throws SQLException {
        return delegate.createNClob();
    }

    @Override
    public SQLXML createSQLXML() throws SQLException {
        return delegate.createSQLXML();
    }

    @Override
    public boolean isValid(int timeout) throws SQLException {
        return delegate.isValid(timeout);
    }

    @Override
    public void setClientInfo(String name, String value) throws SQLClientInfoException {
        delegate.setClientInfo(name, value);
    }

    @Override
    public void setClientInfo(Properties properties) throws SQLClientInfoException {
        delegate.setClientInfo(properties);
    }

    @Override
    public String getClientInfo(String name) throws SQLException {
        return delegate.getClientInfo(name);
    }

    @Override
    public Properties getClientInfo() throws SQLException {
        return delegate.getClientInfo();
    }

    @Override
    public Array createArrayOf(String typeName, Object[] elements) throws SQLException {
        return delegate.createArrayOf(typeName, elements);
    }

    @Override
    public Struct createStruct(String typeName, Object[] attributes) throws SQLException {
        return delegate.createStruct(typeName, attributes);
    }

    /**
     * Refused: the schema of a tenant connection is fixed by its SQL text, and session state set here
     * would outlive this tenant's work in the pool.
     */
    @Override
    public void setSchema(String schema) throws SQLException {
        throw new SQLException("Tenant connections do not change schema: they were handed out for "
                + quotedSchema + "; open work in another tenant instead");
    }

    @Override
    public String getSchema() throws SQLException {
        return delegate.getSchema();
    }

    @Override
    public void abort(Executor executor) throws SQLException {
        delegate.abort(executor);
    }

    @Override
    public void setNetworkTimeout(Executor executor, int milliseconds) throws SQLException {
        delegate.setNetworkTimeout(executor, milliseconds);
    }

    @Override
    public int getNetworkTimeout() throws SQLException {
        return delegate.getNetworkTimeout();
    }

    @Override
    public <T> T unwrap(Class<T> type) throws SQLException {
        return type.isInstance(this) ? type.cast(this) : delegate.unwrap(type);
    }

    @Override
    public boolean isWrapperFor(Class<?> type) throws SQLException {
        return type.isInstance(this) || delegate.isWrapperFor(type);
    }

    @Override
    public String toString() {
        return "TenantConnection[" + quotedSchema + ", " + delegate + "]";
    }
}
