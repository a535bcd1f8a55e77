package io.respite.testing;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.model.ExposedPort;
import com.github.dockerjava.api.model.PortBinding;
import com.github.dockerjava.api.model.Ports;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.containers.wait.strategy.Wait;
import org.testcontainers.utility.DockerImageName;

/**
 * A {@code redis:7} container, for machines with a Docker engine but no {@code redis-server}
 * binary. The host port is bound explicitly (not a random mapping) so that stopping and starting
 * the same container keeps the address a test already handed to respite.
 */
final class ContainerRedisServer implements RedisServer {

    private static final DockerImageName IMAGE = DockerImageName.parse("redis:7");
    private static final int REDIS_PORT = 6379;
    private static final Duration START_TIMEOUT = Duration.ofSeconds(60);

    private final GenericContainer<?> container;
    private final List<String> extraArgs;
    private final int port;
    private boolean running;

    static boolean dockerAvailable() {
        try {
            return DockerClientFactory.instance().isDockerAvailable();
        } catch (RuntimeException e) {
            return false;
        }
    }

    ContainerRedisServer(List<String> extraArgs) {
        this.extraArgs = List.copyOf(extraArgs);
        this.port = LocalRedisServer.freePort();
        List<String> command = new ArrayList<>(List.of("redis-server", "--save", "", "--appendonly", "no"));
        command.addAll(extraArgs);
        GenericContainer<?> c = new GenericContainer<>(IMAGE);
        c.withExposedPorts(REDIS_PORT)
                .withCommand(command.toArray(String[]::new))
                .withCreateContainerCmdModifier(cmd -> cmd.getHostConfig()
                        .withPortBindings(new PortBinding(
                                Ports.Binding.bindIpAndPort(host(), port), ExposedPort.tcp(REDIS_PORT))))
                .waitingFor(Wait.forListeningPort().withStartupTimeout(START_TIMEOUT));
        this.container = c;
        container.start();
        running = true;
    }

    @Override
    public String host() {
        return "127.0.0.1";
    }

    @Override
    public int port() {
        return port;
    }

    @Override
    public List<String> extraArgs() {
        return extraArgs;
    }

    private DockerClient docker() {
        return DockerClientFactory.instance().client();
    }

    @Override
    public synchronized void start() {
        if (running) {
            return;
        }
        docker().startContainerCmd(container.getContainerId()).exec();
        awaitListening();
        running = true;
    }

    private void awaitListening() {
        long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
        while (System.nanoTime() < deadline) {
            try (Socket socket = new Socket()) {
                socket.connect(new InetSocketAddress(host(), port), 200);
                return;
            } catch (IOException e) {
                Thread.onSpinWait();
            }
        }
        throw new IllegalStateException("redis container on port " + port + " did not come back");
    }

    @Override
    public synchronized void stop() {
        if (running) {
            docker().stopContainerCmd(container.getContainerId()).exec();
            running = false;
        }
    }

    @Override
    public synchronized void kill() {
        if (running) {
            docker().killContainerCmd(container.getContainerId()).exec();
            running = false;
        }
    }

    @Override
    public synchronized void freeze() {
        docker().pauseContainerCmd(container.getContainerId()).exec();
    }

    @Override
    public synchronized void thaw() {
        docker().unpauseContainerCmd(container.getContainerId()).exec();
    }

    @Override
    public synchronized boolean isRunning() {
        return running;
    }

    @Override
    public void close() {
        container.stop();
        running = false;
    }

    @Override
    public String toString() {
        return "redis-container[" + host() + ":" + port + "]";
    }
}
