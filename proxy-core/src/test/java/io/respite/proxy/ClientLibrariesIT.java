package io.respite.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisFuture;
import io.lettuce.core.RedisURI;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.async.RedisAsyncCommands;
import io.lettuce.core.api.sync.RedisCommands;
import io.respite.testing.RedisExtension;
import io.respite.testing.RedisServer;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.Pipeline;
import redis.clients.jedis.Response;

/**
 * Real client libraries run the same short session against Redis directly and through respite,
 * and must see the same results: Jedis (RESP2 by default) and Lettuce (RESP3 by default: it
 * opens with HELLO 3), each with plain, pipelined or asynchronous commands and SELECT.
 */
@ExtendWith(RedisExtension.class)
class ClientLibrariesIT {

    @Test
    void jedisSeesWhatItSeesOnRedis(RedisServer direct, RedisServer behind) throws Exception {
        try (ProxyFixture fixture = ProxyFixture.startCaching(behind)) {
            List<String> expected = jedisSession(direct.address());
            List<String> actual = jedisSession(fixture.address());
            assertEquals(expected, actual);
            assertTrue(fixture.stats().hits() > 0, "the session's repeated GETs hit the cache");
        }
    }

    @Test
    void lettuceSeesWhatItSeesOnRedis(RedisServer direct, RedisServer behind) throws Exception {
        try (ProxyFixture fixture = ProxyFixture.startCaching(behind)) {
            List<String> expected = lettuceSession(direct.address());
            List<String> actual = lettuceSession(fixture.address());
            assertEquals(expected, actual);
            assertTrue(fixture.stats().hits() > 0, "the session's repeated GETs hit the cache");
        }
    }

    private static List<String> jedisSession(InetSocketAddress address) {
        List<String> seen = new ArrayList<>();
        try (Jedis jedis = new Jedis(address.getHostString(), address.getPort(), 5_000)) {
            seen.add(jedis.set("greeting", "hello"));
            seen.add(jedis.get("greeting"));
            seen.add(jedis.get("greeting"));
            seen.add(jedis.get("missing"));
            seen.add(String.valueOf(jedis.hset("user:1", Map.of("name", "Ada", "lang", "en"))));
            seen.add(new TreeMap<>(jedis.hgetAll("user:1")).toString());
            seen.add(String.valueOf(jedis.incr("counter")));
            seen.add(String.valueOf(jedis.incrBy("counter", 41)));
            seen.add(jedis.get("counter"));
            seen.add(String.valueOf(jedis.del("greeting", "missing")));
            seen.add(jedis.get("greeting"));

            Pipeline pipeline = jedis.pipelined();
            List<Response<?>> responses = new ArrayList<>();
            for (int i = 0; i < 50; i++) {
                responses.add(pipeline.set("p:" + i, "v" + i));
                responses.add(pipeline.get("p:" + i));
                responses.add(pipeline.get("p:" + (i / 2)));
            }
            responses.add(pipeline.hget("user:1", "name"));
            responses.add(pipeline.get("user:1"));
            pipeline.sync();
            for (Response<?> response : responses) {
                try {
                    seen.add(String.valueOf(response.get()));
                } catch (RuntimeException e) {
                    seen.add(e.getClass().getSimpleName() + ": " + e.getMessage());
                }
            }

            seen.add(jedis.select(3));
            seen.add(jedis.get("counter"));
            seen.add(jedis.set("counter", "in-db-3"));
            seen.add(jedis.get("counter"));
            seen.add(jedis.select(0));
            seen.add(jedis.get("counter"));
            seen.add(jedis.ping());
        }
        return seen;
    }

    private static List<String> lettuceSession(InetSocketAddress address) throws Exception {
        List<String> seen = new ArrayList<>();
        RedisClient client = RedisClient.create(RedisURI.builder()
                .withHost(address.getHostString())
                .withPort(address.getPort())
                .withTimeout(Duration.ofSeconds(5))
                .build());
        try (StatefulRedisConnection<String, String> connection = client.connect()) {
            RedisCommands<String, String> sync = connection.sync();
            assertTrue(sync.clientInfo().contains(" resp=3"), "Lettuce speaks RESP3: " + sync.clientInfo());
            seen.add(sync.set("greeting", "hello"));
            seen.add(sync.get("greeting"));
            seen.add(sync.get("greeting"));
            seen.add(sync.get("missing"));
            seen.add(String.valueOf(sync.hset("user:1", Map.of("name", "Ada", "lang", "en"))));
            seen.add(new TreeMap<>(sync.hgetall("user:1")).toString());
            seen.add(String.valueOf(sync.incr("counter")));
            seen.add(String.valueOf(sync.incrby("counter", 41)));
            seen.add(sync.get("counter"));
            seen.add(String.valueOf(sync.del("greeting", "missing")));
            seen.add(sync.get("greeting"));
            seen.add(String.valueOf(sync.zadd("scores", 1.5, "a")));
            seen.add(String.valueOf(sync.zscore("scores", "a")));
            seen.add(String.valueOf(sync.zrangeWithScores("scores", 0, -1)));

            RedisAsyncCommands<String, String> async = connection.async();
            connection.setAutoFlushCommands(false);
            List<RedisFuture<?>> futures = new ArrayList<>();
            for (int i = 0; i < 50; i++) {
                futures.add(async.set("p:" + i, "v" + i));
                futures.add(async.get("p:" + i));
                futures.add(async.get("p:" + (i / 2)));
            }
            futures.add(async.hget("user:1", "name"));
            futures.add(async.get("user:1"));
            connection.flushCommands();
            connection.setAutoFlushCommands(true);
            for (RedisFuture<?> future : futures) {
                // await, not LettuceFutures.awaitAll: that throws on the expected WRONGTYPE.
                assertTrue(future.await(10, TimeUnit.SECONDS), "an asynchronous reply arrives");
                seen.add(future.getError() != null ? "error: " + future.getError() : String.valueOf(future.get()));
            }

            seen.add(sync.select(3));
            seen.add(sync.get("counter"));
            seen.add(sync.set("counter", "in-db-3"));
            seen.add(sync.get("counter"));
            seen.add(sync.select(0));
            seen.add(sync.get("counter"));
            seen.add(sync.ping());
        } finally {
            client.shutdown(0, 5, TimeUnit.SECONDS);
        }
        return seen;
    }
}
