package dev.tenantry.bench;

import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import javax.net.SocketFactory;

/**
 * Counts round trips as the PostgreSQL wire protocol defines them: every Sync ('S') and every simple
 * Query ('Q') a client sends makes the client wait for the server's ReadyForQuery. Connections opened
 * with {@link #jdbcUrl} get their socket from pgjdbc's {@code socketFactory} hook, and every byte the
 * driver writes is read as protocol messages on its way out, in the writing thread: no relay, no extra
 * hop, so what is counted is not slowed down. Counting on the wire sees everything the driver, the pool
 * and Hibernate send, so a figure from it is measured, not inferred. The URL turns encryption off, since
 * encrypted bytes cannot be read.
 */
public final class RoundTripCounter implements AutoCloseable {

    private static final int SSL_REQUEST = 80877103;
    private static final int GSS_REQUEST = 80877104;

    private static final boolean TRACE = Boolean.getBoolean("roundtrips.trace");

    /** Open counters, by the id their URLs carry to {@link CountingSocketFactory}. */
    private static final Map<String, RoundTripCounter> OPEN = new ConcurrentHashMap<>();
    private static final AtomicLong IDS = new AtomicLong();

    private final String id;
    private final String host;
    private final int port;
    private final LongAdder roundTrips = new LongAdder();
    private final LongAdder sqlMessages = new LongAdder();

    private RoundTripCounter(String host, int port) {
        this.id = Long.toString(IDS.incrementAndGet());
        this.host = host;
        this.port = port;
    }

    /** Starts counting the connections that {@link #jdbcUrl} opens to {@code host:port}. */
    public static RoundTripCounter start(String host, int port) {
        RoundTripCounter counter = new RoundTripCounter(host, port);
        OPEN.put(counter.id, counter);
        return counter;
    }

    /** The round trips counted so far over all connections. */
    public long roundTrips() {
        return roundTrips.sum();
    }

    /**
     * The messages that carried SQL text so far: each simple Query ('Q') and each Parse ('P'). Zero over a
     * stretch of work proves that no SQL reached the server during it.
     */
    public long sqlMessages() {
        return sqlMessages.sum();
    }

    /** A JDBC URL for {@code database} whose connections this counter sees. */
    public String jdbcUrl(String database) {
        String address = host.contains(":") && !host.startsWith("[") ? "[" + host + "]" : host;
        return "jdbc:postgresql://" + address + ":" + port + "/" + database + "?sslmode=disable&gssEncMode=disable"
                + "&socketFactory=" + CountingSocketFactory.class.getName() + "&socketFactoryArg=" + id;
    }

    /**
     * Counts the round trips of another process, which cannot load {@link CountingSocketFactory}: a relay on a local
     * port that passes every byte on to {@code host:port} and reads what clients send, as the socket factory does.
     * The relay adds a hop to each round trip, so two processes compared should both go through one.
     */
    static Relay relay(String host, int port) throws IOException {
        return new Relay(start(host, port));
    }

    /** A relay to the server, counting what its clients send; closing it closes every connection through it. */
    static final class Relay implements AutoCloseable {

        private final RoundTripCounter counter;
        private final java.net.ServerSocket listener;
        private final java.util.Set<Socket> open = ConcurrentHashMap.newKeySet();

        private Relay(RoundTripCounter counter) throws IOException {
            this.counter = counter;
            this.listener = new java.net.ServerSocket(0, 50, InetAddress.getLoopbackAddress());
            Thread accepting = new Thread(this::accept, "round-trip-relay-" + counter.id);
            accepting.setDaemon(true);
            accepting.start();
        }

        /** The local port that clients connect to instead of the server's. */
        int port() {
            return listener.getLocalPort();
        }

        /** The round trips counted so far over every connection through the relay. */
        long roundTrips() {
            return counter.roundTrips();
        }

        /** A JDBC URL for {@code database} through the relay, with encryption off so that messages can be read. */
        String jdbcUrl(String database) {
            return "jdbc:postgresql://127.0.0.1:" + port() + "/" + database + "?sslmode=disable&gssEncMode=disable";
        }

        private void accept() {
            while (!listener.isClosed()) {
                try {
                    Socket client = listener.accept();
                    Socket server = new Socket(counter.host, counter.port);
                    client.setTcpNoDelay(true);
                    server.setTcpNoDelay(true);
                    open.add(client);
                    open.add(server);
                    pump(client.getInputStream(), new MessageReader(server.getOutputStream(), counter), client, server);
                    pump(server.getInputStream(), client.getOutputStream(), client, server);
                } catch (IOException e) {
                    // closed, or the server refused: the client sees its connection fail
                }
            }
        }

        private void pump(java.io.InputStream from, OutputStream to, Socket client, Socket server) {
            Thread thread = new Thread(() -> {
                byte[] buffer = new byte[16 * 1024];
                try {
                    for (int n; (n = from.read(buffer)) >= 0; ) {
                        to.write(buffer, 0, n);
                        to.flush();
                    }
                } catch (IOException e) {
                    // one side closed: close both below
                } finally {
                    closeQuietly(client);
                    closeQuietly(server);
                }
            }, "round-trip-relay-" + counter.id + "-pump");
            thread.setDaemon(true);
            thread.start();
        }

        private void closeQuietly(Socket socket) {
            open.remove(socket);
            try {
                socket.close();
            } catch (IOException e) {
                // already closed
            }
        }

        @Override
        public void close() {
            counter.close();
            try {
                listener.close();
            } catch (IOException e) {
                // already closed
            }
            open.forEach(this::closeQuietly);
        }
    }

    /** Connections opened from now on through this counter's URL fail; those open stop being counted. */
    @Override
    public void close() {
        OPEN.remove(id);
    }

    /**
     * What pgjdbc instantiates from the {@code socketFactory} URL parameter: plain sockets whose output is
     * counted by the counter that {@code socketFactoryArg} names. Not for use elsewhere.
     */
    public static final class CountingSocketFactory extends SocketFactory {

        private final String counterId;

        /** pgjdbc passes the connection's properties, {@code socketFactoryArg} among them. */
        public CountingSocketFactory(Properties properties) {
            this.counterId = properties.getProperty("socketFactoryArg");
        }

        private RoundTripCounter counter() throws IOException {
            RoundTripCounter counter = counterId == null ? null : OPEN.get(counterId);
            if (counter == null) {
                throw new IOException("round-trip counter " + counterId + " is closed or unknown");
            }
            return counter;
        }

        @Override
        public Socket createSocket() throws IOException {
            return new CountingSocket(counter());
        }

        @Override
        public Socket createSocket(String host, int port) throws IOException {
            return connected(new InetSocketAddress(host, port), null);
        }

        @Override
        public Socket createSocket(String host, int port, InetAddress localHost, int localPort) throws IOException {
            return connected(new InetSocketAddress(host, port), new InetSocketAddress(localHost, localPort));
        }

        @Override
        public Socket createSocket(InetAddress host, int port) throws IOException {
            return connected(new InetSocketAddress(host, port), null);
        }

        @Override
        public Socket createSocket(InetAddress address, int port, InetAddress localAddress, int localPort)
                throws IOException {
            return connected(new InetSocketAddress(address, port), new InetSocketAddress(localAddress, localPort));
        }

        /** pgjdbc itself connects the unconnected socket; the other forms of the factory come here. */
        private Socket connected(InetSocketAddress remote, InetSocketAddress local) throws IOException {
            Socket socket = createSocket();
            if (local != null) {
                socket.bind(local);
            }
            socket.connect(remote);
            return socket;
        }
    }

    /** A plain TCP socket whose output stream reads the messages written to it. */
    private static final class CountingSocket extends Socket {

        private final RoundTripCounter counter;
        private OutputStream output;

        CountingSocket(RoundTripCounter counter) {
            this.counter = counter;
        }

        @Override
        public synchronized OutputStream getOutputStream() throws IOException {
            if (output == null) {
                output = new MessageReader(super.getOutputStream(), counter);
            }
            return output;
        }
    }

    /**
     * Passes bytes through unchanged and follows the message framing: the startup packets (length, then
     * body; an SSL or GSS request is followed by another), then messages of a type byte, a length that
     * counts itself, and a body. Only headers are read; bodies are skipped by length.
     */
    private static final class MessageReader extends FilterOutputStream {

        private final RoundTripCounter counter;
        private final byte[] header = new byte[8];
        private int headerLength;
        private boolean startup = true;
        private long skip;
        private byte type;
        /** With tracing on, the start of a 'Q', 'P' or 'B' body, printed once it is complete. */
        private StringBuilder trace;

        MessageReader(OutputStream out, RoundTripCounter counter) {
            super(out);
            this.counter = counter;
        }

        @Override
        public void write(int b) throws IOException {
            out.write(b);
            read(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public void write(byte[] bytes, int offset, int length) throws IOException {
            out.write(bytes, offset, length);
            read(bytes, offset, length);
        }

        private void read(byte[] bytes, int offset, int length) {
            int at = offset;
            int end = offset + length;
            while (at < end) {
                if (skip > 0) {
                    int n = (int) Math.min(skip, end - at);
                    if (trace != null) {
                        traceBody(bytes, at, n);
                    }
                    skip -= n;
                    at += n;
                    if (skip == 0) {
                        endMessage();
                    }
                    continue;
                }
                header[headerLength++] = bytes[at++];
                if (startup && headerLength == 8) {
                    int code = integer(4);
                    startup = code == SSL_REQUEST || code == GSS_REQUEST;
                    begin((byte) 0, integer(0) - 8L);
                } else if (!startup && headerLength == 5) {
                    begin(header[0], integer(1) - 4L);
                }
            }
        }

        private void begin(byte messageType, long bodyLength) {
            headerLength = 0;
            type = messageType;
            skip = bodyLength;
            if (type == 'S' || type == 'Q') {
                counter.roundTrips.increment();
            }
            if (type == 'Q' || type == 'P') {
                counter.sqlMessages.increment();
            }
            if (TRACE && (type == 'Q' || type == 'P' || type == 'B')) {
                trace = new StringBuilder();
            }
            if (skip == 0) {
                endMessage();
            }
        }

        private void traceBody(byte[] bytes, int at, int n) {
            if (trace.length() < 60) {
                trace.append(new String(bytes, at, Math.min(n, 60), StandardCharsets.UTF_8).replace('\0', '~'));
            }
        }

        private void endMessage() {
            if (!TRACE || type == 0) {
                return;
            }
            if (trace != null) {
                System.out.print("[" + trace.substring(0, Math.min(60, trace.length())) + "]");
                trace = null;
            }
            System.out.print((char) type + (type == 'S' || type == 'Q' ? "|\n" : " "));
        }

        private int integer(int from) {
            return ((header[from] & 0xff) << 24) | ((header[from + 1] & 0xff) << 16) | ((header[from + 2] & 0xff) << 8)
                    | (header[from + 3] & 0xff);
        }
    }
}
