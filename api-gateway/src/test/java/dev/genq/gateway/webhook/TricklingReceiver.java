package dev.genq.gateway.webhook;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * A hostile webhook receiver on 127.0.0.1: it answers each request's status line at once, then trickles a
 * header one byte per {@code every}, never ending it, for as long as the sender keeps the connection. It
 * records when each connection opened and when the sender closed it.
 */
final class TricklingReceiver implements AutoCloseable {

    record Connection(Instant opened, Instant closed) {
        Duration held() {
            return Duration.between(opened, closed);
        }
    }

    private final ServerSocket server;
    private final Duration every;
    private final List<Socket> sockets = new ArrayList<>();
    private final List<Connection> closed = new ArrayList<>();
    private int open;
    private int mostOpen;

    TricklingReceiver(Duration every) throws IOException {
        this.every = every;
        server = new ServerSocket(0, 64, InetAddress.getLoopbackAddress());
        Thread acceptor = new Thread(this::accept, "trickling-receiver");
        acceptor.setDaemon(true);
        acceptor.start();
    }

    String url() {
        return "http://127.0.0.1:" + server.getLocalPort() + "/slow";
    }

    private void accept() {
        while (!server.isClosed()) {
            try {
                Socket socket = server.accept();
                synchronized (this) {
                    sockets.add(socket);
                    mostOpen = Math.max(mostOpen, ++open);
                    notifyAll();
                }
                Thread t = new Thread(() -> trickle(socket), "trickle");
                t.setDaemon(true);
                t.start();
            } catch (IOException e) {
                return; // closed
            }
        }
    }

    private void trickle(Socket socket) {
        Instant opened = Instant.now();
        try (socket) {
            readRequest(socket.getInputStream());
            OutputStream out = socket.getOutputStream();
            out.write("HTTP/1.1 200 OK\r\nX-Slow: ".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = socket.getInputStream();
            socket.setSoTimeout((int) every.toMillis());
            while (true) {
                try {
                    if (in.read() < 0) {
                        return; // the sender closed the connection: noticed at once, not at the next write
                    }
                } catch (java.net.SocketTimeoutException e) {
                    out.write('.');
                    out.flush();
                }
            }
        } catch (IOException e) {
            // the sender closed the connection (or the receiver was closed): record how long it was held
        } finally {
            synchronized (this) {
                open--;
                closed.add(new Connection(opened, Instant.now()));
                notifyAll();
            }
        }
    }

    /** Reads the request's headers and its Content-Length body. */
    private static void readRequest(InputStream in) throws IOException {
        StringBuilder head = new StringBuilder();
        while (!head.toString().endsWith("\r\n\r\n")) {
            int b = in.read();
            if (b < 0) {
                throw new IOException("request ended early");
            }
            head.append((char) b);
        }
        long length = head.toString().lines().filter(l -> l.toLowerCase().startsWith("content-length:"))
                .mapToLong(l -> Long.parseLong(l.substring(l.indexOf(':') + 1).strip())).findFirst().orElse(0);
        in.readNBytes((int) length);
    }

    synchronized int open() {
        return open;
    }

    synchronized int mostOpenAtOnce() {
        return mostOpen;
    }

    /** Waits (bounded) until {@code count} connections are open at once; returns how many are. */
    synchronized int awaitOpen(int count, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (open < count && System.nanoTime() < deadline) {
            wait(Math.max(1, (deadline - System.nanoTime()) / 1_000_000));
        }
        return open;
    }

    /** Waits (bounded) until the sender has closed {@code count} connections; returns those it closed. */
    synchronized List<Connection> awaitClosed(int count, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (closed.size() < count && System.nanoTime() < deadline) {
            wait(Math.max(1, (deadline - System.nanoTime()) / 1_000_000));
        }
        return List.copyOf(closed);
    }

    @Override
    public void close() throws IOException {
        server.close();
        synchronized (this) {
            for (Socket s : sockets) {
                s.close();
            }
        }
    }
}
