package dev.tenantry.bench;

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
 * A loopback TCP relay in front of PostgreSQL that counts round trips as the wire protocol defines
 * them: every Sync ('S') and every simple Query ('Q') a client sends makes the client wait for the
 * server's ReadyForQuery. Counting on the wire sees everything the driver, the pool and Hibernate send,
 * so a figure from it is measured, not inferred. Connections through it must use {@code sslmode=disable}.
 */
public final class RoundTripCounter implements AutoCloseable {

    private static final int SSL_REQUEST = 80877103;
    private static final int GSS_REQUEST = 80877104;

    private static final boolean TRACE = Boolean.getBoolean("roundtrips.trace");

    private final ServerSocket listener;
    private final String targetHost;
    private final int targetPort;
    private final AtomicLong roundTrips = new AtomicLong();
    private final AtomicLong sqlMessages = new AtomicLong();
    private final ExecutorService threads = Executors.newCachedThreadPool(runnable -> {
        Thread thread = new Thread(runnable, "round-trip-counter");
        thread.setDaemon(true);
        return thread;
    });
    private final List<Socket> sockets = new CopyOnWriteArrayList<>();

    private RoundTripCounter(ServerSocket listener, String targetHost, int targetPort) {
        this.listener = listener;
        this.targetHost = targetHost;
        this.targetPort = targetPort;
    }

    /** Starts relaying from a free loopback port to {@code host:port}. */
    public static RoundTripCounter start(String host, int port) throws IOException {
        RoundTripCounter counter = new RoundTripCounter(new ServerSocket(0, 50, InetAddress.getLoopbackAddress()), host, port);
        counter.threads.submit(counter::acceptLoop);
        return counter;
    }

    /** The round trips counted so far over all connections. */
    public long roundTrips() {
        return roundTrips.get();
    }

    /**
     * The messages that carried SQL text so far: each simple Query ('Q') and each Parse ('P'). Zero over a
     * stretch of work proves that no SQL reached the server during it.
     */
    public long sqlMessages() {
        return sqlMessages.get();
    }

    /** A JDBC URL for {@code database} that goes through this counter. */
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
                    System.err.println("[round-trip-counter] " + e);
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
                byte[] body = in.readNBytes(length - 4);
                out.write(body);
                if (TRACE && (type == 'Q' || type == 'P' || type == 'B')) {
                    String text = new String(body, java.nio.charset.StandardCharsets.UTF_8).replace('\0', '~');
                    System.out.print("[" + text.substring(0, Math.min(60, text.length())) + "]");
                }
                if (type == 'S' || type == 'Q') {
                    roundTrips.incrementAndGet();
                }
                if (type == 'Q' || type == 'P') {
                    sqlMessages.incrementAndGet();
                }
                if (TRACE) {
                    System.out.print((char) type + (type == 'S' || type == 'Q' ? "|\n" : " "));
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
        sockets.forEach(RoundTripCounter::closeQuietly);
        threads.shutdownNow();
    }
}
