package io.respite.proxy.upstream;

import io.netty.channel.EventLoop;

/** Opens lanes that run as a given Redis user ({@code --auth passthrough}); see {@link UserLane}. */
@FunctionalInterface
public interface UserLanes {

    /**
     * Opens on {@code loop} (and must be called there) a lane whose connections authenticate as
     * {@code user} with {@code secret}, which Redis has just accepted: its shared connection
     * connects at once, the others when first needed. A handshake Redis refuses later (the user
     * was disabled since) fails the lane's commands with Redis's error, as any failure would.
     */
    UserLane open(EventLoop loop, String user, String secret);
}
