package io.respite.proxy.command;

import io.respite.resp.RespCommand;
import java.util.Objects;
import java.util.function.IntConsumer;
import org.jspecify.annotations.Nullable;

/**
 * One Redis 7 key specification: where to start looking ({@code begin_search}: an index, or the
 * argument after a keyword) and how to collect keys from there ({@code find_keys}: a range, or a
 * count read from an argument). {@link #unknown(boolean)} stands for a spec Redis itself calls unknown;
 * such commands have keys we cannot find.
 *
 * @param beginIndex begin_search by index: the first key's argument index; 0 when by keyword
 * @param keyword begin_search by keyword (upper case ASCII), or null
 * @param keywordStartFrom where the keyword search starts; negative counts from the end, backwards
 * @param lastKey find_keys range: last key relative to the first; negative counts from the end
 * @param keyStep distance between keys
 * @param limit range: when lastKey is negative, divide the remaining arguments by this (0: none)
 * @param keyNumIndex keynum: the argument holding the number of keys, relative to the begin index; -1 for range
 * @param firstKey keynum: the first key relative to the begin index
 * @param writes whether the command may modify these keys: any access flag but {@code RO}
 */
// keyword is never written after construction nor handed out to be written: an array keeps the
// per-argument comparison allocation-free.
@SuppressWarnings("ArrayRecordComponent")
public record KeySpec(
        int beginIndex,
        byte @Nullable [] keyword,
        int keywordStartFrom,
        int lastKey,
        int keyStep,
        int limit,
        int keyNumIndex,
        int firstKey,
        boolean writes) {

    /** A key spec Redis describes as unknown: its keys can only be found by running the command. */
    public static KeySpec unknown(boolean writes) {
        return new KeySpec(-1, null, 0, 0, 1, 0, -1, 0, writes);
    }

    /** A spec from the legacy first/last/step triple of {@code COMMAND}, for servers before Redis 7. */
    public static KeySpec legacy(int first, int last, int step, boolean writes) {
        int lastKey = last < 0 ? last : last - first;
        return new KeySpec(first, null, 0, lastKey, Math.max(step, 1), 0, -1, 0, writes);
    }

    public boolean isUnknown() {
        return beginIndex < 0;
    }

    /**
     * Calls {@code keyIndex} with the argument index of every key this spec finds in
     * {@code command}, and returns false when the arguments do not match the spec (then the
     * command's keys are not known, and callers must assume the worst).
     */
    public boolean forEachKey(RespCommand command, IntConsumer keyIndex) {
        if (isUnknown()) {
            return false;
        }
        int argc = command.argCount();
        int first = keyword == null ? beginIndex : findKeyword(command);
        if (first < 0) {
            // The keyword is optional (SORT ... STORE): no keys of this spec.
            return true;
        }
        if (first >= argc) {
            return true;
        }
        if (keyNumIndex >= 0) {
            int numIndex = first + keyNumIndex;
            if (numIndex >= argc) {
                return true;
            }
            long count = command.argLong(numIndex, Long.MIN_VALUE);
            if (count < 0) {
                // A negative count: Redis refuses the command, no key written. Not a number: unknown keys.
                return count != Long.MIN_VALUE;
            }
            int start = first + firstKey;
            for (long i = 0; i < count; i++) {
                long at = start + i * keyStep;
                if (at >= argc) {
                    return false;
                }
                keyIndex.accept((int) at);
            }
            return true;
        }
        int last;
        if (lastKey >= 0) {
            last = first + lastKey;
        } else if (limit <= 1) {
            last = argc + lastKey;
        } else {
            last = first + ((argc - first) / limit + lastKey);
        }
        for (int i = first; i <= last && i < argc; i += keyStep) {
            keyIndex.accept(i);
        }
        return true;
    }

    private int findKeyword(RespCommand command) {
        byte[] keyword = Objects.requireNonNull(this.keyword, "keyword");
        int argc = command.argCount();
        if (keywordStartFrom >= 0) {
            for (int i = keywordStartFrom; i < argc; i++) {
                if (command.argEqualsIgnoreCase(i, keyword)) {
                    return i + 1;
                }
            }
        } else {
            for (int i = argc + keywordStartFrom; i > 0; i--) {
                if (command.argEqualsIgnoreCase(i, keyword)) {
                    return i + 1;
                }
            }
        }
        return -1;
    }
}
