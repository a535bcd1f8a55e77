package io.respite.resp;

/**
 * Limits every decoder checks before it buffers: a peer cannot make respite hold more than these
 * allow by declaring a large length. Error texts for violations are Redis 7's.
 *
 * <table>
 *   <caption>Limits and defaults</caption>
 *   <tr><th>Name</th><th>Default</th><th>Meaning</th></tr>
 *   <tr><td>maxInlineBytes</td><td>{@value #DEFAULT_MAX_INLINE_BYTES}</td><td>longest inline
 *       command, and longest {@code *<count>} or {@code $<length>} line of a request (Redis's
 *       PROTO_INLINE_MAX_SIZE)</td></tr>
 *   <tr><td>maxBulkBytes</td><td>{@value #DEFAULT_MAX_BULK_BYTES}</td><td>longest bulk string
 *       (Redis's proto-max-bulk-len); also bounds a reply's simple-string line</td></tr>
 *   <tr><td>maxAggregateElements</td><td>{@value #DEFAULT_MAX_AGGREGATE_ELEMENTS}</td><td>most
 *       arguments in a request, or elements in one reply aggregate (Redis: INT_MAX)</td></tr>
 *   <tr><td>maxNestingDepth</td><td>{@value #DEFAULT_MAX_NESTING_DEPTH}</td><td>deepest nesting
 *       of reply aggregates</td></tr>
 * </table>
 *
 * @param maxInlineBytes longest inline request line, in bytes
 * @param maxBulkBytes longest bulk string, in bytes
 * @param maxAggregateElements most elements of one aggregate
 * @param maxNestingDepth deepest aggregate nesting of a reply
 */
public record RespLimits(int maxInlineBytes, long maxBulkBytes, long maxAggregateElements, int maxNestingDepth) {

    /** Longest inline request or request header line, in bytes (64 KiB, as Redis). */
    public static final int DEFAULT_MAX_INLINE_BYTES = 64 * 1024;
    /** Longest bulk string, in bytes (512 MiB, Redis's default proto-max-bulk-len). */
    public static final long DEFAULT_MAX_BULK_BYTES = 512L * 1024 * 1024;
    /** Most elements in one aggregate (Redis accepts up to INT_MAX arguments). */
    public static final long DEFAULT_MAX_AGGREGATE_ELEMENTS = Integer.MAX_VALUE;
    /** Deepest nesting of reply aggregates; Redis's own replies nest a few levels at most. */
    public static final int DEFAULT_MAX_NESTING_DEPTH = 128;

    /** Redis's own limits. */
    public static final RespLimits DEFAULT = new RespLimits(
            DEFAULT_MAX_INLINE_BYTES,
            DEFAULT_MAX_BULK_BYTES,
            DEFAULT_MAX_AGGREGATE_ELEMENTS,
            DEFAULT_MAX_NESTING_DEPTH);

    /**
     * For replies of a trusted server, relayed without being built into trees: as {@link #DEFAULT}
     * but nested to any depth (a Lua script can return a reply a thousand levels deep). Not for
     * anything parsed recursively.
     */
    public static final RespLimits TRUSTED_RELAY = DEFAULT.withMaxNestingDepth(Integer.MAX_VALUE);

    public RespLimits {
        if (maxInlineBytes < 16) {
            throw new IllegalArgumentException("maxInlineBytes: " + maxInlineBytes + " (expected: >= 16)");
        }
        if (maxBulkBytes < 0 || maxBulkBytes > Integer.MAX_VALUE - 64) {
            throw new IllegalArgumentException("maxBulkBytes: " + maxBulkBytes + " (expected: 0.."
                    + (Integer.MAX_VALUE - 64) + ", a ByteBuf's reach)");
        }
        if (maxAggregateElements < 1) {
            throw new IllegalArgumentException("maxAggregateElements: " + maxAggregateElements + " (expected: >= 1)");
        }
        if (maxNestingDepth < 1) {
            throw new IllegalArgumentException("maxNestingDepth: " + maxNestingDepth + " (expected: >= 1)");
        }
    }

    public RespLimits withMaxBulkBytes(long bytes) {
        return new RespLimits(maxInlineBytes, bytes, maxAggregateElements, maxNestingDepth);
    }

    public RespLimits withMaxInlineBytes(int bytes) {
        return new RespLimits(bytes, maxBulkBytes, maxAggregateElements, maxNestingDepth);
    }

    public RespLimits withMaxAggregateElements(long elements) {
        return new RespLimits(maxInlineBytes, maxBulkBytes, elements, maxNestingDepth);
    }

    public RespLimits withMaxNestingDepth(int depth) {
        return new RespLimits(maxInlineBytes, maxBulkBytes, maxAggregateElements, depth);
    }
}
