package io.respite.proxy;

import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.ServerSocketChannel;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.Future;
import io.respite.proxy.eventloop.LoopFlusher;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The infrastructure the proxy owns: an acceptor loop, the worker loops (native epoll where
 * available, NIO otherwise) and one {@link LoopFlusher} per worker loop. Created by
 * {@link ProxyServer}; shut down last, after every channel on it is closed.
 */
final class ProxyResources {

    final EventLoopGroup acceptor;
    final EventLoopGroup workers;
    final Class<? extends ServerSocketChannel> serverChannelType;
    final Class<? extends SocketChannel> channelType;
    final Map<EventLoop, LoopFlusher> flushers;
    final String transport;

    ProxyResources(int ioThreads) {
        boolean epoll = Epoll.isAvailable();
        IoHandlerFactory io = epoll ? EpollIoHandler.newFactory() : NioIoHandler.newFactory();
        this.transport = epoll ? "epoll" : "nio";
        this.acceptor = new MultiThreadIoEventLoopGroup(1, io);
        this.workers = new MultiThreadIoEventLoopGroup(ioThreads, io);
        this.serverChannelType = epoll ? EpollServerSocketChannel.class : NioServerSocketChannel.class;
        this.channelType = epoll ? EpollSocketChannel.class : NioSocketChannel.class;
        IdentityHashMap<EventLoop, LoopFlusher> map = new IdentityHashMap<>();
        for (EventExecutor executor : workers) {
            map.put((EventLoop) executor, new LoopFlusher((EventLoop) executor));
        }
        this.flushers = Collections.unmodifiableMap(map);
    }

    /** Stops both groups; returns when they have terminated or {@code timeoutMillis} passed. */
    void shutdown(long timeoutMillis) {
        Future<?> a = acceptor.shutdownGracefully(0, timeoutMillis, TimeUnit.MILLISECONDS);
        Future<?> w = workers.shutdownGracefully(0, timeoutMillis, TimeUnit.MILLISECONDS);
        a.awaitUninterruptibly(timeoutMillis);
        w.awaitUninterruptibly(timeoutMillis);
    }
}
