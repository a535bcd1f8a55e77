package io.respite.proxy.admin;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Map;
import java.util.Properties;
import org.jspecify.annotations.Nullable;

/**
 * The dashboard's files, read from the jar once: the page itself and uPlot from its WebJar, so the
 * page works with no network beyond respite. Immutable.
 */
final class DashboardFiles {

    /** A file's bytes (never written to) and content type. */
    static final class File {
        private final byte[] bytes;
        private final String type;

        File(byte[] bytes, String type) {
            this.bytes = bytes;
            this.type = type;
        }

        byte[] bytes() {
            return bytes;
        }

        String type() {
            return type;
        }
    }

    private static final String UPLOT = "META-INF/resources/webjars/uplot/" + uplotVersion() + "/dist/";

    private final Map<String, File> files;

    DashboardFiles() {
        files = Map.of(
                "/", new File(read("io/respite/proxy/admin/dashboard.html"), "text/html; charset=utf-8"),
                "/uplot.min.js", new File(read(UPLOT + "uPlot.iife.min.js"), "text/javascript; charset=utf-8"),
                "/uplot.min.css", new File(read(UPLOT + "uPlot.min.css"), "text/css; charset=utf-8"));
    }

    /** The file served at {@code path}, or null. */
    @Nullable
    File get(String path) {
        return files.get(path);
    }

    private static byte[] read(String resource) {
        try (InputStream in = DashboardFiles.class.getClassLoader().getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException("missing from the jar: " + resource);
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(resource, e);
        }
    }

    /** uPlot's version, from the WebJar's own Maven metadata. */
    private static String uplotVersion() {
        String pom = "META-INF/maven/org.webjars.npm/uplot/pom.properties";
        try (InputStream in = DashboardFiles.class.getClassLoader().getResourceAsStream(pom)) {
            if (in == null) {
                throw new IllegalStateException("missing from the jar: " + pom);
            }
            Properties properties = new Properties();
            properties.load(in);
            return properties.getProperty("version");
        } catch (IOException e) {
            throw new UncheckedIOException(pom, e);
        }
    }
}
