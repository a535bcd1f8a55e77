package io.respite.proxy;

import com.sun.management.OperatingSystemMXBean;
import io.respite.proxy.config.ConfigException;
import io.respite.proxy.config.ConfigLoader;
import io.respite.proxy.config.InfoRequestedException;
import io.respite.proxy.config.ProxyConfig;
import java.lang.management.ManagementFactory;

/**
 * How big respite's JVM should be, from respite's own options: {@code scripts/respite} runs this
 * first and starts respite with the flags it prints, so that the heap follows {@code --max-memory}
 * however it was given (flag, environment or file) instead of the JVM's default of a quarter of
 * the machine.
 *
 * <p>The cache lives on the heap: its entries are charged key + value + their measured overhead
 * against {@code --max-memory}, so the live heap is about {@code --max-memory} plus a fixed base
 * (the command table, buffers, classes' data). The heap gets twice that, as room for the
 * collector to work without running back to back, plus {@value #BASE_HEAP_MB} MB. Network
 * buffers are direct memory, outside the heap, bounded by the JVM at the same size as the heap
 * and in practice by the client output limits; see the README's sizing section.
 *
 * <p>Prints the flags on one line; prints nothing for options it cannot read, so that respite
 * itself reports them. In a container whose memory limit is too small for the heap it asks for,
 * it says so on standard error.
 */
public final class JvmSizing {

    /** Heap beyond twice --max-memory, in MB: respite's own working set and the collector's floor. */
    static final long BASE_HEAP_MB = 128;

    private JvmSizing() {}

    public static void main(String[] args) {
        ProxyConfig config;
        try {
            config = ConfigLoader.load(args, System.getenv());
        } catch (InfoRequestedException | ConfigException e) {
            return;
        }
        long heapMb = heapMegabytes(config.maxMemoryBytes());
        long physicalMb = physicalMegabytes();
        if (physicalMb > 0 && heapMb > physicalMb * 3 / 4) {
            System.err.println("respite: --max-memory " + config.maxMemoryBytes() / (1024 * 1024)
                    + " MB needs a heap of "
                    + heapMb + " MB, more than three quarters of the " + physicalMb + " MB this machine or container "
                    + "has: lower --max-memory");
        }
        System.out.println("-Xms" + Math.min(heapMb, 64) + "m -Xmx" + heapMb + "m");
    }

    /** The heap for a cache of {@code maxMemoryBytes}: twice the cache, plus the base. */
    static long heapMegabytes(long maxMemoryBytes) {
        long cacheMb = (maxMemoryBytes + (1 << 20) - 1) >> 20;
        return 2 * cacheMb + BASE_HEAP_MB;
    }

    /** The memory this JVM may use (a container's limit inside one), in MB; 0 when unknown. */
    private static long physicalMegabytes() {
        if (ManagementFactory.getOperatingSystemMXBean() instanceof OperatingSystemMXBean os) {
            return os.getTotalMemorySize() >> 20;
        }
        return 0;
    }
}
