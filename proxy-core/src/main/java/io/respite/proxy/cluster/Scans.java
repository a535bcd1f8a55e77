package io.respite.proxy.cluster;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.CompositeByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.respite.proxy.config.UpstreamUri.Seed;
import io.respite.proxy.reply.ReplyCallback;
import io.respite.resp.RespCommand;
import io.respite.resp.RespType;
import io.respite.resp.RespVersion;
import io.respite.resp.codec.RespFrames;
import io.respite.resp.codec.RespWriter;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * SCAN over a whole cluster: the primaries are walked one after another, in the slot map's fixed
 * order, and the cursor the client sees says which: {@code nodeCursor * MAX_NODES + node}. A node
 * whose own cursor comes back 0 hands over to the next one with cursor 0; after the last, the
 * client gets 0. So every key present throughout the scan is returned at least once, as SCAN
 * promises, while the primaries stay the same; a failover or a resharding in the middle of a scan
 * may repeat or skip what moved.
 */
final class Scans {

    /** Most primaries a cursor can name. */
    static final int MAX_NODES = 1024;

    private Scans() {}

    /** Borrows {@code command}; its reply, cursor rewritten, goes to {@code callback}. */
    static void scan(ClusterLane lane, RespVersion version, RespCommand command, ReplyCallback callback) {
        List<Seed> primaries = lane.upstream().slots().primaries();
        String cursorText = command.argString(1);
        long cursor;
        try {
            cursor = Long.parseUnsignedLong(cursorText);
        } catch (NumberFormatException e) {
            callback.onReply(ClusterLane.error("ERR invalid cursor"));
            return;
        }
        int node = (int) Long.remainderUnsigned(cursor, MAX_NODES);
        long nodeCursor = Long.divideUnsigned(cursor, MAX_NODES);
        if (primaries.isEmpty() || node >= primaries.size()) {
            callback.onReply(primaries.isEmpty() ? ClusterLane.error(ClusterLane.CLUSTER_DOWN) : empty());
            return;
        }
        ByteBuf frame = Requests.withArg(
                PooledByteBufAllocator.DEFAULT,
                command,
                1,
                Long.toUnsignedString(nodeCursor).getBytes(StandardCharsets.US_ASCII));
        lane.node(primaries.get(node)).send(0, version, frame, new ReplyCallback() {
            @Override
            public void onReply(ByteBuf reply) {
                callback.onReply(rewrite(reply, node, primaries.size()));
            }

            @Override
            public void onFailure(String error) {
                callback.onFailure(error);
            }
        });
    }

    /** A finished scan: cursor 0, no keys. */
    private static ByteBuf empty() {
        return PooledByteBufAllocator.DEFAULT
                .directBuffer()
                .writeBytes("*2\r\n$1\r\n0\r\n*0\r\n".getBytes(StandardCharsets.US_ASCII));
    }

    /** The node's reply with the cluster's cursor in place of the node's. Takes ownership of {@code reply}. */
    private static ByteBuf rewrite(ByteBuf reply, int node, int nodes) {
        int[] elements = RespFrames.elements(reply);
        if (elements == null || elements.length != 4) {
            return reply;
        }
        String nodeCursor = reply.toString(elements[0], elements[1], StandardCharsets.US_ASCII);
        nodeCursor = nodeCursor.substring(nodeCursor.indexOf('\n') + 1).strip();
        long next;
        try {
            next = Long.parseUnsignedLong(nodeCursor);
        } catch (NumberFormatException notACursor) {
            return reply;
        }
        long cursor;
        if (next != 0) {
            cursor = next * MAX_NODES + node;
        } else {
            cursor = node + 1 < nodes ? node + 1 : 0;
        }
        CompositeByteBuf out = PooledByteBufAllocator.DEFAULT.compositeDirectBuffer(2);
        ByteBuf head = PooledByteBufAllocator.DEFAULT.directBuffer(32);
        RespWriter.writeHeader(head, RespType.ARRAY, 2);
        RespWriter.writeBulk(head, Long.toUnsignedString(cursor).getBytes(StandardCharsets.US_ASCII));
        out.addComponent(true, head);
        out.addComponent(true, reply.retainedSlice(elements[2], elements[3]));
        reply.release();
        return out;
    }
}
