package app.threefold.mirror;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A loopback HTTP proxy in front of an S3 server that the test controls: it answers a share of
 * requests with {@code 503 Slow Down} itself, and cuts every n-th large upload off half way
 * through its body by dropping both connections. Each request gets its own upstream connection (the
 * proxy asks for {@code Connection: close}), which keeps the proxy a byte pipe after the head.
 */
final class FaultProxy implements AutoCloseable {

    private final URI upstream;
    private final ServerSocket server;
    private final ExecutorService threads = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "fault-proxy");
        t.setDaemon(true);
        return t;
    });
    private final Random random;
    private volatile double unavailableShare;
    private volatile double dropShare;
    private final AtomicInteger largeUploads = new AtomicInteger();
    final AtomicInteger requests = new AtomicInteger();
    final AtomicInteger unavailable = new AtomicInteger();
    final AtomicInteger dropped = new AtomicInteger();

    FaultProxy(URI upstream, long seed) throws IOException {
        this.upstream = upstream;
        this.random = new Random(seed);
        this.server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        threads.execute(this::accept);
    }

    URI endpoint() {
        return URI.create("http://127.0.0.1:" + server.getLocalPort());
    }

    /** Answers this share of requests with 503 without passing them on. */
    FaultProxy unavailable(double share) {
        this.unavailableShare = share;
        return this;
    }

    /** Drops the connection half way through the body of this share of uploads (PUTs over 64 KiB). */
    FaultProxy dropUploads(double share) {
        this.dropShare = share;
        return this;
    }

    private void accept() {
        while (!server.isClosed()) {
            try {
                Socket client = server.accept();
                threads.execute(() -> serve(client));
            } catch (IOException e) {
                return;
            }
        }
    }

    private synchronized boolean draw(double share) {
        return random.nextDouble() < share;
    }

    /** Every n-th large upload, starting with the first: so a test with few large objects still sees drops. */
    private boolean dropThis() {
        double share = dropShare;
        if (share <= 0) {
            return false;
        }
        long every = Math.max(1, Math.round(1 / share));
        return largeUploads.getAndIncrement() % every == 0;
    }

    private void serve(Socket client) {
        try (client) {
            InputStream fromClient = client.getInputStream();
            String head = readHead(fromClient);
            if (head == null) {
                return;
            }
            requests.incrementAndGet();
            String method = head.substring(0, head.indexOf(' '));
            long length = contentLength(head);
            if (draw(unavailableShare)) {
                unavailable.incrementAndGet();
                byte[] body = "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Error><Code>SlowDown</Code><Message>test: please reduce your request rate</Message></Error>"
                        .getBytes(StandardCharsets.UTF_8);
                OutputStream out = client.getOutputStream();
                out.write(("HTTP/1.1 503 Slow Down\r\nContent-Type: application/xml\r\nContent-Length: " + body.length
                        + "\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
                out.write(body);
                out.flush();
                return;
            }
            boolean drop = method.equals("PUT") && length > 64 << 10 && dropThis();
            try (Socket up = new Socket()) {
                up.connect(new InetSocketAddress(upstream.getHost(), upstream.getPort()));
                OutputStream toUp = up.getOutputStream();
                toUp.write(withConnectionClose(head).getBytes(StandardCharsets.ISO_8859_1));
                toUp.flush();
                long cutAt = drop ? length / 2 : Long.MAX_VALUE;
                threads.execute(() -> {
                    try {
                        byte[] buffer = new byte[1 << 16];
                        long sent = 0;
                        for (int n; (n = fromClient.read(buffer)) > 0; ) {
                            if (sent + n >= cutAt) {
                                toUp.write(buffer, 0, (int) (cutAt - sent));
                                toUp.flush();
                                dropped.incrementAndGet();
                                up.setSoLinger(true, 0);
                                up.close();
                                client.setSoLinger(true, 0);
                                client.close();
                                return;
                            }
                            toUp.write(buffer, 0, n);
                            sent += n;
                        }
                    } catch (IOException e) {
                        // The other direction ended the exchange.
                    }
                });
                up.getInputStream().transferTo(client.getOutputStream());
            }
        } catch (IOException e) {
            // A dropped exchange; the client sees it as one.
        }
    }

    private static String readHead(InputStream in) throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        int matched = 0;
        for (int b; (b = in.read()) >= 0; ) {
            head.write(b);
            matched = (b == '\r' && (matched == 0 || matched == 2)) || (b == '\n' && (matched == 1 || matched == 3))
                    ? matched + 1 : (b == '\r' ? 1 : 0);
            if (matched == 4) {
                return head.toString(StandardCharsets.ISO_8859_1);
            }
        }
        return null;
    }

    private static long contentLength(String head) {
        for (String line : head.split("\r\n")) {
            if (line.toLowerCase(Locale.ROOT).startsWith("content-length:")) {
                return Long.parseLong(line.substring(line.indexOf(':') + 1).trim());
            }
        }
        return 0;
    }

    private static String withConnectionClose(String head) {
        StringBuilder out = new StringBuilder();
        for (String line : head.split("\r\n")) {
            if (!line.toLowerCase(Locale.ROOT).startsWith("connection:")) {
                out.append(line).append("\r\n");
            }
        }
        out.setLength(out.length() - 2);
        return out + "\r\nConnection: close\r\n\r\n";
    }

    @Override
    public void close() throws IOException {
        server.close();
        threads.shutdownNow();
    }
}
