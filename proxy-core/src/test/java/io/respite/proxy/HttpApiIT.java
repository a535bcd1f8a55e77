package io.respite.proxy;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.respite.proxy.admission.AdmissionStats;
import io.respite.proxy.config.RateLimit;
import io.respite.testing.RedisExtension;
import io.respite.testing.RedisServer;
import io.respite.testing.RespTestClient;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The HTTP API through a real client ({@code java.net.http.HttpClient}) and raw sockets where the
 * client library would hide what is tested (pipelining, 413 before the body, slow headers):
 * every route, method and status, binary keys, conditional GET and HEAD, the seed-002 JSON byte
 * for byte, and hits served from the same cache as RESP's.
 */
@ExtendWith(RedisExtension.class)
class HttpApiIT {

    private static final Pattern GET_CALLS = Pattern.compile("cmdstat_get:calls=(\\d+)");

    private final HttpClient http =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @Test
    void putGetHeadDeleteRoundTrip(RedisServer redis) throws Exception {
        try (ProxyFixture fixture = startHttp(redis)) {
            assertEquals(201, put(fixture, "/keys/greeting", "hello", null).statusCode());
            assertEquals(204, put(fixture, "/keys/greeting", "hello!", null).statusCode());
            HttpResponse<byte[]> got = get(fixture, "/keys/greeting");
            assertEquals(200, got.statusCode());
            assertEquals("hello!", new String(got.body(), StandardCharsets.UTF_8));
            assertEquals(Optional.of("application/octet-stream"), got.headers().firstValue("content-type"));
            assertEquals(Optional.of("6"), got.headers().firstValue("content-length"));
            String etag = got.headers().firstValue("etag").orElseThrow();
            assertTrue(etag.startsWith("\"") && etag.endsWith("\""), etag);

            HttpResponse<byte[]> head =
                    send(fixture, request(fixture, "/keys/greeting").method("HEAD", BodyPublishers.noBody()));
            assertEquals(200, head.statusCode());
            assertEquals(0, head.body().length);
            assertEquals(Optional.of("6"), head.headers().firstValue("content-length"));
            assertEquals(Optional.of(etag), head.headers().firstValue("etag"));

            HttpResponse<byte[]> notModified =
                    send(fixture, request(fixture, "/keys/greeting").header("If-None-Match", etag));
            assertEquals(304, notModified.statusCode());
            assertEquals(0, notModified.body().length);
            assertEquals(
                    200,
                    send(fixture, request(fixture, "/keys/greeting").header("If-None-Match", "\"other\""))
                            .statusCode());

            assertEquals("$6\r\nhello!\r\n", redis.callString("GET", "greeting"), "written through to Redis");
            assertEquals(
                    204,
                    send(fixture, request(fixture, "/keys/greeting").DELETE()).statusCode());
            assertEquals(
                    404,
                    send(fixture, request(fixture, "/keys/greeting").DELETE()).statusCode());
            HttpResponse<byte[]> gone = get(fixture, "/keys/greeting");
            assertEquals(404, gone.statusCode());
            assertEquals("no such key\n", new String(gone.body(), StandardCharsets.UTF_8));
            assertEquals(":0\r\n", redis.callString("EXISTS", "greeting"));

            PrometheusText metrics = PrometheusText.parse(new String(
                    send(
                                    fixture,
                                    HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
                                            + fixture.proxy().adminAddress().getPort() + "/metrics")))
                            .body(),
                    StandardCharsets.UTF_8));
            assertEquals(1, metrics.value("respite_http_requests_total", "route", "keys", "status", "201"));
            assertEquals(2, metrics.value("respite_http_requests_total", "route", "keys", "status", "404"));
            assertEquals(1, metrics.value("respite_http_requests_total", "route", "keys", "status", "304"));
        }
    }

    @Test
    void theContentTypeGivenAtPutTimeComesBack(RedisServer redis) throws Exception {
        try (ProxyFixture fixture = startHttp(redis)) {
            assertEquals(
                    201,
                    put(fixture, "/keys/doc", "{\"a\":1}", "application/json").statusCode());
            assertEquals(
                    Optional.of("application/json"),
                    get(fixture, "/keys/doc").headers().firstValue("content-type"));
            assertEquals(204, put(fixture, "/keys/doc", "raw", null).statusCode());
            assertEquals(
                    Optional.of("application/octet-stream"),
                    get(fixture, "/keys/doc").headers().firstValue("content-type"));
        }
    }

    @Test
    void keysAreBinarySafeWithEveryByteValue(RedisServer redis) throws Exception {
        try (ProxyFixture fixture = startHttp(redis)) {
            byte[] key = new byte[256];
            StringBuilder encoded = new StringBuilder("/keys/");
            for (int b = 0; b < 256; b++) {
                key[b] = (byte) b;
                encoded.append(String.format("%%%02X", b));
            }
            byte[] value = key.clone();
            HttpResponse<byte[]> put =
                    send(fixture, request(fixture, encoded.toString()).PUT(BodyPublishers.ofByteArray(value)));
            assertEquals(201, put.statusCode());
            assertArrayEquals(value, get(fixture, encoded.toString()).body());
            try (RespTestClient resp = RespTestClient.connect(fixture.address())) {
                byte[] reply = resp.call(new byte[][] {"GET".getBytes(StandardCharsets.US_ASCII), key});
                byte[] expected = new byte[256 + 8];
                System.arraycopy("$256\r\n".getBytes(StandardCharsets.US_ASCII), 0, expected, 0, 6);
                System.arraycopy(value, 0, expected, 6, 256);
                expected[262] = '\r';
                expected[263] = '\n';
                assertArrayEquals(expected, reply, "the same key and value over RESP");
            }
            // Unreserved characters may travel unencoded: the same key.
            assertEquals(201, put(fixture, "/keys/a-b.c_d~e", "x", null).statusCode());
            assertEquals("$1\r\nx\r\n", redis.callString("GET", "a-b.c_d~e"));
        }
    }

    @Test
    void ttlNxAndDatabaseParameters(RedisServer redis) throws Exception {
        try (ProxyFixture fixture = startHttp(redis)) {
            assertEquals(201, put(fixture, "/keys/session?ttl=10s", "s", null).statusCode());
            long pttl = Long.parseLong(
                    redis.callString("PTTL", "session").substring(1).strip());
            assertTrue(pttl > 0 && pttl <= 10_000, "PTTL " + pttl);
            assertEquals(201, put(fixture, "/keys/once?nx", "first", null).statusCode());
            assertEquals(412, put(fixture, "/keys/once?nx", "second", null).statusCode());
            assertEquals("first", new String(get(fixture, "/keys/once").body(), StandardCharsets.UTF_8));

            assertEquals(201, put(fixture, "/keys/k?db=3", "three", null).statusCode());
            assertEquals(404, get(fixture, "/keys/k").statusCode());
            assertEquals("three", new String(get(fixture, "/keys/k?db=3").body(), StandardCharsets.UTF_8));
            try (RespTestClient resp = RespTestClient.connect(redis.address())) {
                assertEquals("+OK\r\n", resp.callString("SELECT", "3"));
                assertEquals("$5\r\nthree\r\n", resp.callString("GET", "k"));
            }
            assertEquals(400, get(fixture, "/keys/k?db=999").statusCode());
            assertEquals(400, get(fixture, "/keys/k?db=x").statusCode());
            assertEquals(400, put(fixture, "/keys/k?ttl=0", "v", null).statusCode());
            assertEquals(400, put(fixture, "/keys/k?ttl=soon", "v", null).statusCode());
            assertEquals(400, get(fixture, "/keys/k?tll=10s").statusCode(), "an unknown parameter");
        }
    }

    @Test
    void lookupAnswersSeed002sJsonByteForByte(RedisServer redis) throws Exception {
        try (ProxyFixture fixture = startHttp(redis)) {
            redis.call("SET", "k", "v");
            assertLookup(fixture, "/lookup?key=k", 200, "{\"key\": \"k\", \"value\": \"v\", \"status\": 200}");
            assertLookup(fixture, "/lookup?key=nope", 404, "{\"key\": \"nope\", \"value\": null, \"status\": 404}");
            assertLookup(fixture, "/lookup", 400, "{\"key\": null, \"value\": null, \"status\": 400}");
            assertLookup(fixture, "/lookup?key=", 400, "{\"key\": \"\", \"value\": null, \"status\": 400}");
            // Non-ASCII (é, an emoji outside the BMP), quote, backslash, newline, a control character, DEL.
            String word = "caf" + (char) 0xe9 + " " + new String(Character.toChars(0x1f600)) + " \"q\" \\ \n" + (char) 1
                    + (char) 0x7f;
            redis.call("SET", "word", word);
            assertLookup(
                    fixture,
                    "/lookup?key=word",
                    200,
                    "{\"key\": \"word\", \"value\": \"caf\\u00e9 \\ud83d\\ude00 \\\"q\\\" \\\\ \\n\\u0001\\u007f\", "
                            + "\"status\": 200}");
            try (RespTestClient resp = RespTestClient.connect(redis.address())) {
                resp.call(new byte[][] {
                    "SET".getBytes(StandardCharsets.US_ASCII),
                    "bin".getBytes(StandardCharsets.US_ASCII),
                    {(byte) 0xff, 0}
                });
            }
            assertLookup(
                    fixture,
                    "/lookup?key=bin",
                    200,
                    "{\"key\": \"bin\", \"value\": \"/wA=\", \"status\": 200, \"encoding\": \"base64\"}");
            assertLookup(fixture, "/lookup?key=a+b", 404, "{\"key\": \"a b\", \"value\": null, \"status\": 404}");
        }
    }

    @Test
    void anySingleSegmentIsAKeyAsSeed003Served(RedisServer redis) throws Exception {
        try (ProxyFixture fixture = startHttp(redis)) {
            redis.call("SET", "example_key", "example value");
            HttpResponse<byte[]> got = get(fixture, "/example_key");
            assertEquals(200, got.statusCode());
            assertEquals("example value", new String(got.body(), StandardCharsets.UTF_8));
            assertEquals(404, get(fixture, "/missing_key").statusCode());
            assertEquals(
                    405,
                    send(fixture, request(fixture, "/example_key").DELETE()).statusCode());
            assertEquals(404, get(fixture, "/metrics").statusCode(), "respite's own names are not keys");
        }
    }

    @Test
    void errorsGetTheirStatusAndAShortText(RedisServer redis) throws Exception {
        try (ProxyFixture fixture = startHttp(redis)) {
            HttpResponse<byte[]> patch =
                    send(fixture, request(fixture, "/keys/k").method("PATCH", BodyPublishers.ofString("x")));
            assertEquals(405, patch.statusCode());
            assertEquals(
                    Optional.of("GET, HEAD, PUT, POST, DELETE"), patch.headers().firstValue("allow"));
            assertEquals(404, get(fixture, "/no/such/route").statusCode());
            assertEquals(404, get(fixture, "/keys/").statusCode());
            String badEscape = raw(fixture, "GET /keys/%zz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
            assertTrue(badEscape.startsWith("HTTP/1.1 400 "), badEscape);
            assertTrue(badEscape.endsWith("malformed percent-encoding in the request target\n"), badEscape);
            String garbage = raw(fixture, "NOT HTTP AT ALL\r\n\r\n");
            assertTrue(garbage.startsWith("HTTP/1.1 400 "), garbage);
            redis.call("LPUSH", "list", "a");
            HttpResponse<byte[]> wrongType = get(fixture, "/keys/list");
            assertEquals(409, wrongType.statusCode());
            assertTrue(new String(wrongType.body(), StandardCharsets.UTF_8).startsWith("WRONGTYPE"));
            assertEquals(
                    Optional.of("text/plain; charset=utf-8"),
                    wrongType.headers().firstValue("content-type"));
        }
    }

    @Test
    void hitsComeFromTheCacheRespFills(RedisServer redis) throws Exception {
        try (ProxyFixture fixture = ProxyFixture.startCaching(redis, b -> b.httpPort(0))) {
            RespTestClient resp = fixture.client();
            assertEquals("+OK\r\n", resp.callString("SET", "hot", "value"));
            fixture.awaitCached(resp, "hot", "$5\r\nvalue\r\n");
            get(fixture, "/keys/hot");
            long gets = upstreamGetCalls(redis);
            long hits = fixture.stats().hits();
            for (int i = 0; i < 20; i++) {
                assertEquals("value", new String(get(fixture, "/keys/hot").body(), StandardCharsets.UTF_8));
                assertEquals(200, get(fixture, "/lookup?key=hot").statusCode());
            }
            assertEquals(gets, upstreamGetCalls(redis), "GETs that reached Redis for hot keys");
            // Each /keys GET reads the value and its content type (a cached nil): two hits.
            assertEquals(hits + 60, fixture.stats().hits());
        }
    }

    @Test
    void keepAlivePipeliningAnswersInRequestOrder(RedisServer redis) throws Exception {
        try (ProxyFixture fixture = startHttp(redis);
                Socket socket =
                        new Socket("127.0.0.1", fixture.proxy().httpAddress().getPort())) {
            socket.setSoTimeout(10_000);
            String requests = "PUT /keys/p HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n\r\none"
                    + "GET /keys/p HTTP/1.1\r\nHost: x\r\n\r\n"
                    + "GET /missing HTTP/1.1\r\nHost: x\r\n\r\n"
                    + "PUT /keys/p HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n3\r\ntwo\r\n0\r\n\r\n"
                    + "GET /keys/p HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n";
            OutputStream out = socket.getOutputStream();
            out.write(requests.getBytes(StandardCharsets.US_ASCII));
            out.flush();
            String all = readAll(socket.getInputStream());
            Matcher statuses = Pattern.compile("HTTP/1.1 (\\d{3})").matcher(all);
            StringBuilder seen = new StringBuilder();
            while (statuses.find()) {
                seen.append(statuses.group(1)).append(' ');
            }
            assertEquals("201 200 404 204 200 ", seen.toString(), all);
            assertTrue(all.contains("\r\n\r\none"), all);
            assertTrue(all.endsWith("\r\n\r\ntwo"), "the connection closed after the last answer: " + all);
        }
    }

    @Test
    void aBodyOverTheLimitIs413BeforeItIsRead(RedisServer redis) throws Exception {
        try (ProxyFixture fixture = ProxyFixture.start(redis, b -> b.httpPort(0).httpMaxBodyBytes(1024))) {
            try (Socket socket =
                    new Socket("127.0.0.1", fixture.proxy().httpAddress().getPort())) {
                socket.setSoTimeout(10_000);
                socket.getOutputStream()
                        .write(("PUT /keys/big HTTP/1.1\r\nHost: x\r\nContent-Length: 600000000\r\n\r\n")
                                .getBytes(StandardCharsets.US_ASCII));
                String answer = readAll(socket.getInputStream());
                assertTrue(answer.startsWith("HTTP/1.1 413 "), answer);
                assertTrue(answer.toLowerCase().contains("connection: close"), answer);
            }
            try (Socket socket =
                    new Socket("127.0.0.1", fixture.proxy().httpAddress().getPort())) {
                socket.setSoTimeout(10_000);
                OutputStream out = socket.getOutputStream();
                out.write("PUT /keys/big HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
                        .getBytes(StandardCharsets.US_ASCII));
                out.write("400\r\n".getBytes(StandardCharsets.US_ASCII));
                out.write(new byte[1024]);
                out.write("\r\n1\r\nx\r\n".getBytes(StandardCharsets.US_ASCII));
                out.flush();
                String answer = readAll(socket.getInputStream());
                assertTrue(answer.startsWith("HTTP/1.1 413 "), answer);
            }
            assertEquals(":0\r\n", redis.callString("EXISTS", "big"));
            assertEquals(
                    201, put(fixture, "/keys/small", "x".repeat(1024), null).statusCode());
        }
    }

    @Test
    void slowHeadersAreCutOff(RedisServer redis) throws Exception {
        try (ProxyFixture fixture =
                        ProxyFixture.start(redis, b -> b.httpPort(0).httpHeaderTimeout(Duration.ofMillis(300)));
                Socket socket =
                        new Socket("127.0.0.1", fixture.proxy().httpAddress().getPort())) {
            socket.setSoTimeout(10_000);
            socket.getOutputStream().write("GET /keys/k HTTP/1.1\r\nHost: x\r\n".getBytes(StandardCharsets.US_ASCII));
            String answer = readAll(socket.getInputStream());
            assertTrue(answer.startsWith("HTTP/1.1 408 "), answer);
        }
    }

    @Test
    void upstreamKilledIs503AndServesAgainAfterRestart(RedisServer redis) throws Exception {
        try (ProxyFixture fixture = startHttp(redis)) {
            assertEquals(201, put(fixture, "/keys/k", "v", null).statusCode());
            redis.kill();
            long start = System.nanoTime();
            HttpResponse<byte[]> down = get(fixture, "/keys/other");
            assertEquals(503, down.statusCode(), new String(down.body(), StandardCharsets.UTF_8));
            assertTrue(System.nanoTime() - start < Duration.ofSeconds(6).toNanos(), "503 promptly");
            assertEquals(503, get(fixture, "/lookup?key=other").statusCode());
            redis.start();
            Await.until(
                    "HTTP serves again",
                    Duration.ofSeconds(15),
                    () -> put(fixture, "/keys/k", "w", null).statusCode() < 300);
            assertEquals("w", new String(get(fixture, "/keys/k").body(), StandardCharsets.UTF_8));
        }
    }

    @Test
    void writesOverHttpAndRespReachTheOtherReplicasCache(RedisServer redis) throws Exception {
        try (ProxyFixture httpReplica = startHttp(redis);
                ProxyFixture respReplica = ProxyFixture.startCaching(redis)) {
            RespTestClient resp = respReplica.client();
            assertEquals("+OK\r\n", resp.callString("SET", "shared", "v1"));
            respReplica.awaitCached(resp, "shared", "$2\r\nv1\r\n");
            assertEquals(204, put(httpReplica, "/keys/shared", "v2", null).statusCode());
            Await.until(
                    "the RESP replica serves the HTTP write",
                    ProxyFixture.AWAIT,
                    () -> resp.callString("GET", "shared").equals("$2\r\nv2\r\n"));

            long hits = httpReplica.stats().hits();
            Await.until("the HTTP replica caches the value", ProxyFixture.AWAIT, () -> {
                assertEquals("v2", new String(get(httpReplica, "/keys/shared").body(), StandardCharsets.UTF_8));
                return httpReplica.stats().hits() > hits + 1;
            });
            assertEquals("+OK\r\n", resp.callString("SET", "shared", "v3"));
            Await.until(
                    "the HTTP replica serves the RESP write",
                    ProxyFixture.AWAIT,
                    () -> new String(get(httpReplica, "/keys/shared").body(), StandardCharsets.UTF_8).equals("v3"));
        }
    }

    @Test
    void requirepassIsAskedOfHttpClientsToo(RedisServer redis) throws Exception {
        try (ProxyFixture fixture = ProxyFixture.start(redis, b -> b.httpPort(0).requirepass("s3 cret"))) {
            HttpResponse<byte[]> anonymous = get(fixture, "/keys/k");
            assertEquals(401, anonymous.statusCode());
            assertEquals(
                    Optional.of("Basic realm=\"respite\""), anonymous.headers().firstValue("www-authenticate"));
            String wrong = "Basic " + Base64.getEncoder().encodeToString(ProxyFixture.utf8("default:nope"));
            assertEquals(
                    401,
                    send(fixture, request(fixture, "/keys/k").header("Authorization", wrong))
                            .statusCode());
            String basic = "Basic " + Base64.getEncoder().encodeToString(ProxyFixture.utf8("default:s3 cret"));
            assertEquals(
                    201,
                    send(
                                    fixture,
                                    request(fixture, "/keys/k")
                                            .header("Authorization", basic)
                                            .PUT(BodyPublishers.ofString("v")))
                            .statusCode());
            HttpResponse<byte[]> bearer =
                    send(fixture, request(fixture, "/keys/k").header("Authorization", "Bearer s3 cret"));
            assertEquals(200, bearer.statusCode());
            assertEquals("v", new String(bearer.body(), StandardCharsets.UTF_8));
        }
    }

    @Test
    void expectContinueGetsAHundredThenTheAnswer(RedisServer redis) throws Exception {
        try (ProxyFixture fixture = startHttp(redis);
                Socket socket =
                        new Socket("127.0.0.1", fixture.proxy().httpAddress().getPort())) {
            socket.setSoTimeout(10_000);
            OutputStream out = socket.getOutputStream();
            out.write("PUT /keys/c HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\nExpect: 100-continue\r\n\r\n"
                    .getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = socket.getInputStream();
            byte[] interim = in.readNBytes("HTTP/1.1 100 Continue\r\n\r\n".length());
            assertEquals("HTTP/1.1 100 Continue\r\n\r\n", new String(interim, StandardCharsets.US_ASCII));
            out.write("abcGET /keys/c HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
                    .getBytes(StandardCharsets.US_ASCII));
            String rest = readAll(in);
            assertTrue(rest.startsWith("HTTP/1.1 201 "), rest);
            assertTrue(rest.endsWith("\r\n\r\nabc"), rest);
        }
    }

    @Test
    void rateLimitsRefuseTheExcessWith429AndCountIt(RedisServer redis) throws Exception {
        try (ProxyFixture fixture = ProxyFixture.start(redis, b -> b.httpPort(0).rateLimit(new RateLimit(1, 5)));
                Socket socket =
                        new Socket("127.0.0.1", fixture.proxy().httpAddress().getPort())) {
            redis.call("SET", "k", "v");
            socket.setSoTimeout(10_000);
            // Ten requests at once on one connection: the burst of five is admitted, the rest refused.
            String request = "GET /keys/k HTTP/1.1\r\nHost: x\r\n\r\n";
            socket.getOutputStream()
                    .write((request.repeat(9) + "GET /keys/k HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
                            .getBytes(StandardCharsets.US_ASCII));
            String all = readAll(socket.getInputStream());
            Matcher statuses = Pattern.compile("HTTP/1.1 (\\d{3})").matcher(all);
            StringBuilder seen = new StringBuilder();
            while (statuses.find()) {
                seen.append(statuses.group(1)).append(' ');
            }
            assertEquals("200 200 200 200 200 429 429 429 429 429 ", seen.toString(), all);
            assertTrue(all.contains("retry-after: 1\r\n"), all);
            assertEquals(5, fixture.proxy().admission().stats().rateLimitedClient());
            // Another connection has a bucket of its own.
            assertEquals(200, get(fixture, "/keys/k").statusCode());
        }
    }

    @Test
    void anOpsLimitOfFourHoldsTwoHundredConcurrentRequestsToFourInRedisAndLosesNone(RedisServer redis)
            throws Exception {
        int requests = 200;
        try (ProxyFixture fixture = ProxyFixture.startCaching(
                        redis, b -> b.httpPort(0).upstreamOpsLimit(4).timeout(Duration.ofSeconds(60)));
                RespTestClient operator = RespTestClient.connect(redis.address())) {
            // PUT ?nx is one SET ... NX first, all of one size: Redis's paused query buffers count them.
            int setBytes = RespTestClient.encodeCommand("SET", "k:000", "v:000", "NX").length;
            List<CompletableFuture<HttpResponse<byte[]>>> answers = new ArrayList<>();
            assertEquals("+OK\r\n", operator.callString("CLIENT", "PAUSE", AdmissionIT.PAUSE_MILLIS, "WRITE"));
            try {
                for (int i = 0; i < requests; i++) {
                    answers.add(http.sendAsync(
                            request(fixture, String.format("/keys/k:%03d?nx", i))
                                    .timeout(Duration.ofSeconds(60))
                                    .PUT(BodyPublishers.ofString(String.format("v:%03d", i)))
                                    .build(),
                            BodyHandlers.ofByteArray()));
                }
                Await.until("four in flight, the rest queued", Duration.ofSeconds(30), () -> {
                    AdmissionStats stats = fixture.proxy().admission().stats();
                    return stats.opsInFlight() == 4 && stats.opsQueued() == requests - 4;
                });
                Await.until(
                        "Redis holds the four",
                        ProxyFixture.AWAIT,
                        () -> AdmissionIT.heldInRedis(operator, setBytes) == 4);
                assertEquals(4, AdmissionIT.heldInRedis(operator, setBytes), "and no more arrive");
            } finally {
                operator.callString("CLIENT", "UNPAUSE");
            }
            for (CompletableFuture<HttpResponse<byte[]>> answer : answers) {
                assertEquals(201, answer.get(60, TimeUnit.SECONDS).statusCode());
            }
            for (int i = 0; i < requests; i++) {
                String key = String.format("k:%03d", i);
                assertEquals(String.format("$5\r\nv:%03d\r\n", i), redis.callString("GET", key), "none lost");
            }
        }
    }

    private static void assertLookup(ProxyFixture fixture, String path, int status, String json) throws Exception {
        HttpResponse<byte[]> response = new HttpApiIT().get(fixture, path);
        assertEquals(status, response.statusCode(), path);
        assertEquals(json, new String(response.body(), StandardCharsets.US_ASCII), path);
        assertEquals(
                Optional.of("application/json; charset=utf-8"),
                response.headers().firstValue("content-type"));
    }

    private static ProxyFixture startHttp(RedisServer redis) throws IOException {
        return ProxyFixture.startCaching(redis, b -> b.httpPort(0));
    }

    private static URI uri(ProxyFixture fixture, String path) {
        return URI.create("http://127.0.0.1:" + fixture.proxy().httpAddress().getPort() + path);
    }

    private static HttpRequest.Builder request(ProxyFixture fixture, String path) {
        return HttpRequest.newBuilder(uri(fixture, path)).timeout(Duration.ofSeconds(10));
    }

    private HttpResponse<byte[]> get(ProxyFixture fixture, String path) throws Exception {
        return send(fixture, request(fixture, path));
    }

    private HttpResponse<byte[]> put(ProxyFixture fixture, String path, String body, String type) throws Exception {
        HttpRequest.Builder request = request(fixture, path).PUT(BodyPublishers.ofString(body));
        if (type != null) {
            request.header("Content-Type", type);
        }
        return send(fixture, request);
    }

    private HttpResponse<byte[]> send(ProxyFixture fixture, HttpRequest.Builder request) throws Exception {
        return http.send(request.build(), BodyHandlers.ofByteArray());
    }

    /** Sends {@code request} as is on a connection of its own; everything answered until the server closes. */
    private static String raw(ProxyFixture fixture, String request) throws IOException {
        try (Socket socket =
                new Socket("127.0.0.1", fixture.proxy().httpAddress().getPort())) {
            socket.setSoTimeout(10_000);
            socket.getOutputStream().write(request.getBytes(StandardCharsets.ISO_8859_1));
            return readAll(socket.getInputStream());
        }
    }

    private static String readAll(InputStream in) throws IOException {
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        in.transferTo(all);
        return all.toString(StandardCharsets.ISO_8859_1);
    }

    private static long upstreamGetCalls(RedisServer redis) throws IOException {
        Matcher m = GET_CALLS.matcher(redis.callString("INFO", "commandstats"));
        return m.find() ? Long.parseLong(m.group(1)) : 0;
    }
}
