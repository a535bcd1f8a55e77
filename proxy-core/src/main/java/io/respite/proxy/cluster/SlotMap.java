package io.respite.proxy.cluster;

import io.respite.proxy.config.UpstreamUri.Seed;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * Which primary serves each slot, as last learnt: from a topology refresh, or from a MOVED reply
 * ahead of the next refresh; and each primary's healthy replicas, as the last refresh named them
 * (for {@code --read-from}). Immutable; a change makes a new map.
 */
final class SlotMap {

    /** No slots known: before the first refresh. */
    static final SlotMap EMPTY = new SlotMap(List.of(), filled(-1), Map.of(), false);

    private final List<Seed> primaries;
    /** Whether a refresh built this map (or the one it derives from): else only MOVED replies did. */
    private final boolean refreshed;
    /** For each slot, its primary's index in {@link #primaries}, or -1 when no node serves it. */
    private final int[] owners;
    /** Each primary's replicas, in a fixed order; a primary with none is absent. */
    private final Map<Seed, List<Seed>> replicas;

    private SlotMap(List<Seed> primaries, int[] owners, Map<Seed, List<Seed>> replicas, boolean refreshed) {
        this.primaries = List.copyOf(primaries);
        this.owners = owners;
        this.replicas = replicas;
        this.refreshed = refreshed;
    }

    /** Whether a topology refresh stands behind this map: before one, a slot with no owner is just not known yet. */
    boolean refreshed() {
        return refreshed;
    }

    /** The map of {@code slotsByPrimary}: each primary with the slots it serves; no replicas known. */
    static SlotMap of(Map<Seed, BitSet> slotsByPrimary) {
        return of(slotsByPrimary, Map.of());
    }

    /** As {@link #of(Map)}, with each primary's replicas. */
    static SlotMap of(Map<Seed, BitSet> slotsByPrimary, Map<Seed, List<Seed>> replicasByPrimary) {
        List<Seed> primaries = new ArrayList<>(slotsByPrimary.keySet());
        primaries.sort((a, b) -> a.toString().compareTo(b.toString()));
        int[] owners = filled(-1);
        for (int i = 0; i < primaries.size(); i++) {
            BitSet slots = slotsByPrimary.getOrDefault(primaries.get(i), new BitSet());
            for (int slot = slots.nextSetBit(0); slot >= 0; slot = slots.nextSetBit(slot + 1)) {
                owners[slot] = i;
            }
        }
        Map<Seed, List<Seed>> replicas = new HashMap<>();
        replicasByPrimary.forEach((primary, of) -> {
            if (!of.isEmpty()) {
                List<Seed> sorted = new ArrayList<>(of);
                sorted.sort((a, b) -> a.toString().compareTo(b.toString()));
                replicas.put(primary, List.copyOf(sorted));
            }
        });
        return new SlotMap(primaries, owners, Map.copyOf(replicas), true);
    }

    /** Whether {@code node} is a healthy replica of some primary, as the last refresh named them. */
    boolean isReplica(Seed node) {
        for (List<Seed> of : replicas.values()) {
            if (of.contains(node)) {
                return true;
            }
        }
        return false;
    }

    /** The replicas of {@code primary} the last refresh named, none failing; empty when none. */
    List<Seed> replicas(Seed primary) {
        return replicas.getOrDefault(primary, List.of());
    }

    private static int[] filled(int value) {
        int[] owners = new int[Slots.COUNT];
        Arrays.fill(owners, value);
        return owners;
    }

    /** The primary serving {@code slot}, or null when none does (or none is known yet). */
    @Nullable
    Seed owner(int slot) {
        int index = owners[slot];
        return index < 0 ? null : primaries.get(index);
    }

    /** Every primary that serves at least one slot, in a fixed order. */
    List<Seed> primaries() {
        return primaries;
    }

    /** This map with {@code slot} served by {@code node}, as a MOVED reply says. */
    SlotMap moved(int slot, Seed node) {
        int index = primaries.indexOf(node);
        List<Seed> nodes = primaries;
        if (index < 0) {
            nodes = new ArrayList<>(primaries);
            nodes.add(node);
            index = nodes.size() - 1;
        }
        int[] copy = owners.clone();
        copy[slot] = index;
        return new SlotMap(nodes, copy, replicas, refreshed);
    }

    /** The slots whose owner differs between this map and {@code next}. */
    BitSet changedIn(SlotMap next) {
        BitSet changed = new BitSet(Slots.COUNT);
        for (int slot = 0; slot < Slots.COUNT; slot++) {
            Seed before = owner(slot);
            Seed after = next.owner(slot);
            if (before == null ? after != null : !before.equals(after)) {
                changed.set(slot);
            }
        }
        return changed;
    }

    /** Whether every slot has an owner. */
    boolean covered() {
        for (int owner : owners) {
            if (owner < 0) {
                return false;
            }
        }
        return true;
    }
}
