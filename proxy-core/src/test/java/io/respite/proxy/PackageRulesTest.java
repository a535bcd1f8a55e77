package io.respite.proxy;

import static com.tngtech.archunit.base.DescribedPredicate.describe;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.base.DescribedPredicate;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.core.importer.Location;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;

/**
 * Each package-info's "depends on" / "must not depend on" sentence, as an ArchUnit rule, over the main classes of
 * proxy-core and resp-codec. The quoted words in each {@code because} come from that package's package-info.java.
 */
@AnalyzeClasses(packages = "io.respite", importOptions = PackageRulesTest.MainClassesOnly.class)
final class PackageRulesTest {

    /** The JDK, and the annotations every package may carry (nullness, and locks Error Prone checks). */
    private static final String[] JDK = {
        "java..", "javax..", "jdk..", "org.jspecify.annotations..", "com.google.errorprone.annotations.."
    };

    // ---- proxy-core

    @ArchTest
    static final ArchRule rootPackageHasNoDependents = noClasses()
            .that()
            .resideOutsideOfPackage("io.respite.proxy")
            .should()
            .dependOnClassesThat()
            .resideInAPackage("io.respite.proxy")
            .because("io.respite.proxy: nothing else depends on this package");

    @ArchTest
    static final ArchRule cacheDependsOnJdkAndFastutilOnly = classes()
            .that()
            .resideInAPackage("io.respite.proxy.cache..")
            .should()
            .onlyDependOnClassesThat()
            .resideInAnyPackage(with(JDK, "it.unimi.dsi.fastutil..", "io.respite.proxy.cache.."))
            .because("cache: depends on nothing but the JDK and fastutil (no Netty, no other respite package)"
                    + "; annotations aside");

    @ArchTest
    static final ArchRule commandDependsOnCodecApiAndReplyOnly = noClasses()
            .that()
            .resideInAPackage("io.respite.proxy.command..")
            .should()
            .dependOnClassesThat()
            .resideInAnyPackage(
                    "io.respite.resp.internal..",
                    "io.respite.proxy",
                    "io.respite.proxy.cache..",
                    "io.respite.proxy.coherence..",
                    "io.respite.proxy.config..",
                    "io.respite.proxy.dispatch..",
                    "io.respite.proxy.eventloop..",
                    "io.respite.proxy.logging..",
                    "io.respite.proxy.session..",
                    "io.respite.proxy.upstream..")
            .because("command: depends on the codec's public API and the reply contract only");

    @ArchTest
    static final ArchRule clusterStaysBelowSessionsDispatchAndTheCache = noClasses()
            .that()
            .resideInAPackage("io.respite.proxy.cluster..")
            .should()
            .dependOnClassesThat()
            .resideInAnyPackage(
                    "io.respite.resp.internal..",
                    "io.respite.proxy",
                    "io.respite.proxy.cache..",
                    "io.respite.proxy.coherence..",
                    "io.respite.proxy.dispatch..",
                    "io.respite.proxy.session..",
                    "io.respite.proxy.http..",
                    "io.respite.proxy.admission..")
            .because("cluster: depends on upstream, command, config's URI, tls's Lettuce settings, reply, eventloop, "
                    + "the codec's public API, Netty and Lettuce; must not depend on sessions, dispatch, the cache or "
                    + "coherence");

    @ArchTest
    static final ArchRule sentinelDependsOnConfigUriTlsAndLettuceOnly = noClasses()
            .that()
            .resideInAPackage("io.respite.proxy.sentinel..")
            .should()
            .dependOnClassesThat(describe(
                    "are in io.respite.. outside io.respite.proxy.sentinel, io.respite.proxy.config and "
                            + "io.respite.proxy.tls",
                    (JavaClass c) -> c.getPackageName().startsWith("io.respite.")
                            && !c.getPackageName().startsWith("io.respite.proxy.sentinel")
                            && !c.getPackageName().startsWith("io.respite.proxy.config")
                            && !c.getPackageName().startsWith("io.respite.proxy.tls")))
            .because("sentinel: depends on config's URI, tls's Lettuce settings, Lettuce and the JDK; must not "
                    + "depend on the upstream, sessions, dispatch, the cache or coherence");

    @ArchTest
    static final ArchRule pubSubStaysBelowSessionsAndDispatch = noClasses()
            .that()
            .resideInAPackage("io.respite.proxy.pubsub..")
            .should()
            .dependOnClassesThat()
            .resideInAnyPackage(
                    "io.respite.resp.internal..",
                    "io.respite.proxy",
                    "io.respite.proxy.cache..",
                    "io.respite.proxy.session..",
                    "io.respite.proxy.dispatch..")
            .because("pubsub: must not depend on sessions, dispatch or the cache");

    @ArchTest
    static final ArchRule configDependsOnNoOtherRespitePackage = noClasses()
            .that()
            .resideInAPackage("io.respite.proxy.config..")
            .should()
            .dependOnClassesThat(describe(
                    "are in io.respite.. outside io.respite.proxy.config",
                    (JavaClass c) -> c.getPackageName().startsWith("io.respite.")
                            && !c.getPackageName().startsWith("io.respite.proxy.config")))
            .because("config: depends on nothing else of respite");

    @ArchTest
    static final ArchRule configReadsNoSystemPropertiesNorEnvironment = noClasses()
            .that()
            .resideInAPackage("io.respite.proxy.config..")
            .should()
            .callMethod(System.class, "getenv")
            .orShould()
            .callMethod(System.class, "getenv", String.class)
            .orShould()
            .callMethod(System.class, "getProperty", String.class)
            .orShould()
            .callMethod(System.class, "getProperty", String.class, String.class)
            .orShould()
            .callMethod(System.class, "getProperties")
            .because("config: reads no system properties and no environment");

    @ArchTest
    static final ArchRule dispatchAvoidsCodecInternalsAndRoot = noClasses()
            .that()
            .resideInAPackage("io.respite.proxy.dispatch..")
            .should()
            .dependOnClassesThat()
            .resideInAnyPackage("io.respite.resp.internal..", "io.respite.proxy")
            .because("dispatch: must not depend on the codec's internal package or on the proxy's root package");

    @ArchTest
    static final ArchRule dispatchDependsOnListedPackagesOnly = noClasses()
            .that()
            .resideInAPackage("io.respite.proxy.dispatch..")
            .should()
            .dependOnClassesThat()
            .resideInAnyPackage("io.respite.proxy.config..", "io.respite.proxy.eventloop..")
            .because("dispatch: depends on session, upstream, admission, pubsub, command, cache, coherence, reply, "
                    + "logging and the codec's public API");

    @ArchTest
    static final ArchRule admissionStaysBelowDispatchAndSessions = noClasses()
            .that()
            .resideInAPackage("io.respite.proxy.admission..")
            .should()
            .dependOnClassesThat()
            .resideInAnyPackage(
                    "io.respite.resp.internal..",
                    "io.respite.proxy",
                    "io.respite.proxy.dispatch..",
                    "io.respite.proxy.session..",
                    "io.respite.proxy.cache..",
                    "io.respite.proxy.coherence..",
                    "io.respite.proxy.command..",
                    "io.respite.proxy.pubsub..")
            .because("admission: depends on the upstream lane and reply contracts, the config's option records and "
                    + "Netty; must not depend on dispatch, sessions, the cache or coherence");

    @ArchTest
    static final ArchRule adminAndMetricsKnowNoOtherRespitePackage = noClasses()
            .that()
            .resideInAnyPackage("io.respite.proxy.admin..", "io.respite.proxy.metrics..")
            .should()
            .dependOnClassesThat(JavaClass.Predicates.resideInAPackage("io.respite..")
                    .and(DescribedPredicate.not(JavaClass.Predicates.resideInAnyPackage(
                            "io.respite.proxy.admin..", "io.respite.proxy.metrics.."))))
            .because("admin and metrics: depend on Netty and the Prometheus client, on no other respite package");

    @ArchTest
    static final ArchRule httpKnowsOnlyTheClientContract = noClasses()
            .that()
            .resideInAPackage("io.respite.proxy.http..")
            .should()
            .dependOnClassesThat()
            .resideInAnyPackage(
                    "io.respite.proxy",
                    "io.respite.proxy.dispatch..",
                    "io.respite.proxy.upstream..",
                    "io.respite.proxy.cache..",
                    "io.respite.proxy.coherence..",
                    "io.respite.proxy.command..",
                    "io.respite.proxy.pubsub..",
                    "io.respite.resp.internal..")
            .because("http: depends on session, reply, eventloop, config, the codec's public API, Netty and Jackson");

    @ArchTest
    static final ArchRule coherenceKnowsNoSessionsNorDispatch = noClasses()
            .that()
            .resideInAPackage("io.respite.proxy.coherence..")
            .should()
            .dependOnClassesThat()
            .resideInAnyPackage(
                    "io.respite.resp.internal..",
                    "io.respite.proxy",
                    "io.respite.proxy.config..",
                    "io.respite.proxy.session..",
                    "io.respite.proxy.dispatch..",
                    "io.respite.proxy.command..")
            .because("coherence: depends on the cache, upstream, reply and the codec's public API; must not depend "
                    + "on sessions or dispatch");

    @ArchTest
    static final ArchRule eventloopDependsOnNettyOnly = classes()
            .that()
            .resideInAPackage("io.respite.proxy.eventloop..")
            .should()
            .onlyDependOnClassesThat()
            .resideInAnyPackage(with(JDK, "io.netty..", "io.respite.proxy.eventloop.."))
            .because("eventloop: depends only on Netty");

    @ArchTest
    static final ArchRule hotKeysDependsOnJdkAndFastutilOnly = classes()
            .that()
            .resideInAPackage("io.respite.proxy.hotkeys..")
            .should()
            .onlyDependOnClassesThat()
            .resideInAnyPackage(with(JDK, "it.unimi.dsi.fastutil..", "io.respite.proxy.hotkeys.."))
            .because("hotkeys: depends only on the JDK and fastutil (annotations aside)");

    @ArchTest
    static final ArchRule loggingDependsOnJdkSlf4jAndLogbackOnly = classes()
            .that()
            .resideInAPackage("io.respite.proxy.logging..")
            .should()
            .onlyDependOnClassesThat()
            .resideInAnyPackage(with(JDK, "io.respite.proxy.logging..", "org.slf4j..", "ch.qos.logback.."))
            .because("logging: depends on the JDK, SLF4J and Logback only");

    @ArchTest
    static final ArchRule replyDependsOnNettyBuffersOnly = classes()
            .that()
            .resideInAPackage("io.respite.proxy.reply..")
            .should()
            .onlyDependOnClassesThat()
            .resideInAnyPackage(with(JDK, "io.netty.buffer..", "io.respite.proxy.reply.."))
            .because("reply: depends on Netty's buffers only");

    @ArchTest
    static final ArchRule sessionKnowsNotWhatCommandsMean = noClasses()
            .that()
            .resideInAPackage("io.respite.proxy.session..")
            .should()
            .dependOnClassesThat()
            .resideInAnyPackage(
                    "io.respite.proxy.dispatch..",
                    "io.respite.proxy.upstream..",
                    "io.respite.proxy.command..",
                    "io.respite.proxy.cache..",
                    "io.respite.proxy.coherence..")
            .because("session: must not depend on dispatch, upstream, command, cache or coherence");

    @ArchTest
    static final ArchRule sessionDependsOnListedPackagesOnly = noClasses()
            .that()
            .resideInAPackage("io.respite.proxy.session..")
            .should()
            .dependOnClassesThat()
            .resideInAnyPackage("io.respite.proxy", "io.respite.proxy.config..")
            .because("session: depends on the codec, the reply contract, the event-loop plumbing and logging");

    @ArchTest
    static final ArchRule upstreamKnowsNoSessions = noClasses()
            .that()
            .resideInAPackage("io.respite.proxy.upstream..")
            .should()
            .dependOnClassesThat()
            .resideInAnyPackage(
                    "io.respite.proxy.session..",
                    "io.respite.proxy.dispatch..",
                    "io.respite.proxy.command..",
                    "io.respite.proxy.cache..",
                    "io.respite.proxy.coherence..")
            .because("upstream: must not depend on sessions, dispatch, commands, the cache or coherence");

    @ArchTest
    static final ArchRule upstreamDependsOnListedPackagesOnly = noClasses()
            .that()
            .resideInAPackage("io.respite.proxy.upstream..")
            .should()
            .dependOnClassesThat()
            .resideInAnyPackage("io.respite.proxy", "io.respite.proxy.config..")
            .because("upstream: depends on the codec, the reply contract, the event-loop plumbing and Netty");

    @ArchTest
    static final ArchRule tlsDependsOnConfigLoggingAndNettyOnly = classes()
            .that()
            .resideInAPackage("io.respite.proxy.tls..")
            .should()
            .onlyDependOnClassesThat()
            .resideInAnyPackage(with(
                    JDK,
                    "io.netty..",
                    "io.lettuce.core",
                    "org.slf4j..",
                    "io.respite.proxy.tls..",
                    "io.respite.proxy.config..",
                    "io.respite.proxy.logging.."))
            .because("tls: depends on the config's option records, logging, Netty, Lettuce's TLS options and the JDK; "
                    + "nothing of sessions, dispatch or the upstream");

    @ArchTest
    static final ArchRule warmUpIsOneMoreClient = noClasses()
            .that()
            .resideInAPackage("io.respite.proxy.warm..")
            .should()
            .dependOnClassesThat()
            .resideInAnyPackage(
                    "io.respite.proxy",
                    "io.respite.proxy.dispatch..",
                    "io.respite.proxy.upstream..",
                    "io.respite.proxy.admission..",
                    "io.respite.proxy.config..")
            .because("warm: must not depend on dispatch, upstream, admission or config");

    @ArchTest
    static final ArchRule proxyUsesNoCodecInternals = noClasses()
            .that()
            .resideInAPackage("io.respite.proxy..")
            .should()
            .dependOnClassesThat()
            .resideInAPackage("io.respite.resp.internal..")
            .because("resp.internal: byte-level helpers of the codec that are not part of its API");

    // ---- resp-codec

    @ArchTest
    static final ArchRule codecDependsOnNoProxy = noClasses()
            .that()
            .resideInAPackage("io.respite.resp..")
            .should()
            .dependOnClassesThat()
            .resideInAPackage("io.respite.proxy..")
            .because("resp-codec: depends on no other respite module");

    @ArchTest
    static final ArchRule messageModelDependsOnNettyBuffersOnly = classes()
            .that()
            .resideInAPackage("io.respite.resp")
            .should()
            .onlyDependOnClassesThat()
            .resideInAnyPackage(with(
                    JDK,
                    "io.netty.buffer..",
                    "io.netty.util..",
                    "io.netty.handler.codec..",
                    "io.respite.resp",
                    "io.respite.resp.internal.."))
            .because("io.respite.resp: depends on Netty's buffers (and its DecoderException, which"
                    + " RespCodecException is) and the codec's byte helpers only");

    @ArchTest
    static final ArchRule messageModelTouchesNoChannel = noClasses()
            .that()
            .resideInAPackage("io.respite.resp")
            .should()
            .dependOnClassesThat()
            .resideInAPackage("io.netty.channel..")
            .because("io.respite.resp: no class here touches a channel");

    @ArchTest
    static final ArchRule codecHandlersDependOnNettyAndRespOnly = classes()
            .that()
            .resideInAPackage("io.respite.resp.codec..")
            .should()
            .onlyDependOnClassesThat()
            .resideInAnyPackage(with(JDK, "io.netty..", "io.respite.resp.."))
            .because("resp.codec: depends only on Netty and io.respite.resp");

    @ArchTest
    static final ArchRule codecInternalsKnowNoHandlers = noClasses()
            .that()
            .resideInAPackage("io.respite.resp.internal..")
            .should()
            .dependOnClassesThat()
            .resideInAPackage("io.respite.resp.codec..")
            .because("resp.internal: must not depend on the codec's handlers");

    private static String[] with(String[] first, String... more) {
        String[] all = new String[first.length + more.length];
        System.arraycopy(first, 0, all, 0, first.length);
        System.arraycopy(more, 0, all, first.length, more.length);
        return all;
    }

    /** Main classes only: not test-classes directories, not test-jars (resp-codec's harness). */
    public static final class MainClassesOnly implements ImportOption {
        @Override
        public boolean includes(Location location) {
            return !location.contains("/test-classes/") && !location.contains("-tests.jar");
        }
    }
}
