package dev.tenantry.it.support;

import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A loopback TCP relay in front of PostgreSQL that counts the client messages carrying SQL text: every
 * simple Query ({@code 'Q'}) and every Parse ({@code 'P'}) of the extended protocol. No SQL reaches the
 * server without one of them, so a count that does not move proves that no SQL was sent. Connections
 * through it must use {@code sslmode=disable}.
 */
public final class StatementCounter implements AutoCloseable {

    private static final int SSL_REQUEST = 80877103;
    private static final int GSS_REQUEST = 80877104;

    private final ServerSocket listener;
    private final String targetHost;
    private final int targetPort;
    private final AtomicLong statements = new AtomicLong();
    private final ExecutorService threads = Executors.newCachedThreadPool(runnable -> {
        Thread thread = new Thread(runnable, "statement-counter");
        thread.setDaemon(true);
        return thread;
    });
    private final List<Socket> sockets = new CopyOnWriteArrayList<>();

    private StatementCounter(ServerSocket listener, String targetHost, int targetPort) {
        this.listener = listener;
        this.targetHost = targetHost;
        this.targetPort = targetPort;
    }

    /** Starts relaying from a free loopback port to {@code host:port}. */
    public static StatementCounter start(String host, int port) throws IOException {
        StatementCounter counter = new StatementCounter(new ServerSocket(0, 50, InetAddress.getLoopbackAddress()), host, port);
        counter.threads.submit(counter::acceptLoop);
        return counter;
    }

    /** SQL-carrying messages sent so far over all connections. */
    public long statements() {
        return statements.get();
    }

    /** A JDBC URL for {@code database} through this relay. */
    public String jdbcUrl(String database) {
        return "jdbc:postgresql://127.0.0.1:" + listener.getLocalPort() + "/" + database + "?sslmode=disable";
    }

    private Void acceptLoop() {
        while (!listener.isClosed()) {
            try {
                Socket client = listener.accept();
                Socket server = new Socket(targetHost, targetPort);
                client.setTcpNoDelay(true);
                server.setTcpNoDelay(true);
                sockets.add(client);
                sockets.add(server);
                threads.submit(() -> relayCounting(client.getInputStream(), server.getOutputStream(), client, server));
                threads.submit(() -> relay(server.getInputStream(), client.getOutputStream(), client, server));
            } catch (IOException e) {
                if (!listener.isClosed()) {
                    System.err.println("[statement-counter] " + e);
                }
            }
        }
        return null;
    }

    private Void relayCounting(InputStream from, OutputStream to, Socket a, Socket b) {
        try (DataInputStream in = new DataInputStream(from); BufferedOutputStream out = new BufferedOutputStream(to, 65536)) {
            boolean startup = true;
            while (true) {
                if (startup) {
                    int length = in.readInt();
                    byte[] body = in.readNBytes(length - 4);
                    writeInt(out, length);
                    out.write(body);
                    out.flush();
                    int code = ((body[0] & 0xff) << 24) | ((body[1] & 0xff) << 16) | ((body[2] & 0xff) << 8) | (body[3] & 0xff);
                    startup = code == SSL_REQUEST || code == GSS_REQUEST;
                    continue;
                }
                int type = in.read();
                if (type < 0) {
                    return null;
                }
                int length = in.readInt();
                out.write(type);
                writeInt(out, length);
                out.write(in.readNBytes(length - 4));
                if (type == 'Q' || type == 'P') {
                    statements.incrementAndGet();
                }
                if (in.available() == 0) {
                    out.flush();
                }
            }
        } catch (IOException e) {
            return null;
        } finally {
            closeQuietly(a, b);
        }
    }

    private Void relay(InputStream from, OutputStream to, Socket a, Socket b) {
        try {
            from.transferTo(to);
        } catch (IOException e) {
            // one side closed: the other follows
        } finally {
            closeQuietly(a, b);
        }
        return null;
    }

    private static void writeInt(OutputStream out, int value) throws IOException {
        out.write(value >>> 24);
        out.write(value >>> 16);
        out.write(value >>> 8);
        out.write(value);
    }

    private static void closeQuietly(Socket... toClose) {
        for (Socket socket : toClose) {
            try {
                socket.close();
            } catch (IOException e) {
                // already closed
            }
        }
    }

    @Override
    public void close() throws IOException {
        listener.close();
        sockets.forEach(StatementCounter::closeQuietly);
        threads.shutdownNow();
    }
}
