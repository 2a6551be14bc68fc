package dev.warmbox;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.warmbox.config.ConfigException;
import dev.warmbox.config.KubernetesSettings;
import dev.warmbox.config.Provider;
import dev.warmbox.config.WarmboxConfig;
import dev.warmbox.devenv.DevEnvironments;
import dev.warmbox.execution.ExecutionService;
import dev.warmbox.http.HttpApi;
import dev.warmbox.metrics.WarmboxMetrics;
import dev.warmbox.pool.WarmPools;
import dev.warmbox.provider.ContainerProvider;
import dev.warmbox.provider.DockerContainerProvider;
import dev.warmbox.provider.KubernetesContainerProvider;
import dev.warmbox.routing.AccessTokens;
import dev.warmbox.routing.EnvironmentRouter;
import dev.warmbox.routing.Routes;
import dev.warmbox.sandbox.ContainerSandboxes;
import dev.warmbox.sandbox.LeftoverSandboxes;
import dev.warmbox.sandbox.SandboxBlueprint;
import dev.warmbox.sandbox.SandboxSettings;
import dev.warmbox.sandbox.Sandboxes;
import dev.warmbox.store.ApiKeys;
import dev.warmbox.store.BootstrapKey;
import dev.warmbox.store.Database;
import dev.warmbox.store.DeadServerSweeper;
import dev.warmbox.store.ServerRegistry;
import io.javalin.Javalin;
import io.javalin.json.JavalinJackson;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Clock;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The composition root: builds every part by constructor, starts them in order and stops them in
 * reverse. Main runs it with the real environment; tests run it with a map and their own ports.
 */
public final class Warmbox implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Warmbox.class);

    private final Deque<AutoCloseable> toClose = new ArrayDeque<>();
    private final Javalin http;
    private final WarmPools pools;
    private final DevEnvironments devEnvironments;
    private final DeadServerSweeper deadServers;
    private final Optional<String> generatedKey;
    /** Why development environments do not run here (the provider lacks what they need); empty when they do. */
    private final Optional<String> devEnvUnavailable;

    /** @param routing where /environments/{id}/ leads; empty: to the development environments of this server */
    private Warmbox(WarmboxConfig config, Clock clock, Optional<Routing> routing) {
        try {
            Database database = remember(new Database(config.database()));
            // Before anything touches the engine: a server whose instance id another live server holds must not
            // remove that server's sandboxes as its own leftovers.
            ServerRegistry servers = remember(ServerRegistry.register(database, config.instanceId(), config.servers(), clock));
            ApiKeys keys = new ApiKeys(database);
            generatedKey = BootstrapKey.ensure(keys, config.bootstrapApiKey());

            ObjectMapper json = JsonMapper.builder().findAndAddModules().build();
            ScheduledExecutorService deadlines = Executors.newSingleThreadScheduledExecutor(
                    r -> Thread.ofPlatform().name("warmbox-agent-deadlines").daemon(true).unstarted(r));
            remember(deadlines::shutdownNow);
            ContainerProvider provider = provider(config);
            Sandboxes sandboxes = new ContainerSandboxes(provider, SandboxSettings.from(config), json, deadlines, clock);
            LeftoverSandboxes leftovers = new LeftoverSandboxes(provider, config.runDir());
            deadServers = remember(new DeadServerSweeper(database, servers, config.servers(), leftovers::removeOwnedBy, clock));

            pools = remember(new WarmPools(config.pools(), sandboxes, clock));
            PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
            remember(registry::close);
            WarmboxMetrics metrics = new WarmboxMetrics(pools);
            metrics.bindTo(registry);
            new JvmMemoryMetrics().bindTo(registry);
            new JvmThreadMetrics().bindTo(registry);
            new ProcessorMetrics().bindTo(registry);

            ExecutionService executions = new ExecutionService(config.limits(), pools, sandboxes, metrics);
            devEnvironments = remember(new DevEnvironments(database, provider, json, config.limits().maxRequestBytes(), config.devEnv(), config.instanceId(), clock));
            devEnvironments.metrics().bindTo(registry);
            devEnvUnavailable = DevEnvironments.unavailableOn(provider);
            devEnvUnavailable.ifPresent(reason -> log.warn("{}; their routes answer 400", reason));
            HttpApi api = new HttpApi(executions, pools, sandboxes, keys, registry, devEnvironments, devEnvUnavailable);
            Routing environments = routing.orElse(new Routing(devEnvironments.routes(), devEnvironments.accessTokens()));
            EnvironmentRouter router = new EnvironmentRouter(environments.routes(), environments.accessTokens(), keys);
            http = Javalin.create(cfg -> {
                cfg.startup.showJavalinBanner = false;
                cfg.concurrency.useVirtualThreads = true;
                cfg.http.maxRequestSize = config.limits().maxRequestBytes();
                cfg.jsonMapper(new JavalinJackson(json, false));
                cfg.jetty.host = config.bindAddress();
                cfg.jetty.port = config.port();
                api.install(cfg);
                router.install(cfg);
            });
        } catch (RuntimeException e) {
            close();
            throw e;
        }
    }

    /** The container provider WARMBOX_PROVIDER names, answering (closed with the rest); else start-up stops naming where it looked. */
    private ContainerProvider provider(WarmboxConfig config) {
        if (config.provider() == Provider.KUBERNETES) {
            KubernetesSettings kubernetes = config.kubernetes();
            String where = kubernetes.kubeconfig().map(file -> "the kubeconfig " + file + " (WARMBOX_KUBECONFIG or KUBECONFIG)")
                    .orElse("the in-cluster service account (or ~/.kube/config; set WARMBOX_KUBECONFIG)");
            KubernetesContainerProvider provider;
            try {
                provider = KubernetesContainerProvider.connect(kubernetes, SandboxBlueprint.AGENT_PORT);
            } catch (RuntimeException e) {
                throw new ConfigException("no Kubernetes API answers with " + where + " for namespace " + kubernetes.namespace()
                        + " (WARMBOX_KUBERNETES_NAMESPACE): " + e.getMessage());
            }
            log.info("sandboxes run as pods: {}", provider);
            return remember(provider);
        }
        DockerContainerProvider docker = new DockerContainerProvider(config.dockerHost());
        if (!docker.ping()) {
            docker.close();
            throw new ConfigException("no container engine answers at DOCKER_HOST=" + config.dockerHost()
                    + " (is Docker running, and may this user open its socket?)");
        }
        return remember(docker);
    }

    /** Builds and starts warmbox: leftovers removed, pools filling in the background, HTTP serving. */
    public static Warmbox start(WarmboxConfig config, Clock clock) {
        return start(config, clock, Optional.empty());
    }

    /** Routes and access tokens to use instead of the development environments' own (tests' fakes). */
    public record Routing(Routes routes, AccessTokens accessTokens) {}

    /** The same, with /environments/{id}/ leading where {@code routing} says (tests); empty: the server's own. */
    public static Warmbox start(WarmboxConfig config, Clock clock, Optional<Routing> routing) {
        Warmbox warmbox = new Warmbox(config, clock, routing);
        try {
            warmbox.pools.start();
            if (warmbox.devEnvUnavailable.isEmpty()) warmbox.devEnvironments.start();
            warmbox.deadServers.start();
            warmbox.http.start();
            warmbox.toClose.push(warmbox.http::stop);
            return warmbox;
        } catch (RuntimeException e) {
            warmbox.close();
            throw e;
        }
    }

    /**
     * Every HTTP route Javalin serves, as {@code "METHOD /path"} with Javalin's {@code {param}} templates,
     * filters left out. The routes under {@code /environments/} are not Javalin's: see {@link EnvironmentRouter#PATHS}.
     */
    public List<String> httpRoutes() {
        return http.unsafe.internalRouter.allHttpHandlers().stream().map(parsed -> parsed.endpoint)
                .filter(endpoint -> endpoint.method.isHttpMethod()).map(endpoint -> endpoint.method.name() + " " + endpoint.path).toList();
    }

    /** Where each development environment's IDE is, for the router. */
    public Routes routes() {
        return devEnvironments.routes();
    }

    /** The hash of each environment's access-link token, as the router reads it. */
    public Optional<String> accessTokenHash(String environmentId) {
        return devEnvironments.accessTokens().tokenHash(environmentId);
    }

    /** The port HTTP listens on (useful when configured as 0). */
    public int port() {
        return http.port();
    }

    /** The admin key generated at first start, to be shown once; empty otherwise. */
    public Optional<String> generatedKey() {
        return generatedKey;
    }

    /** Stops HTTP first, then the pools (draining within the grace period), then everything else. */
    @Override
    public void close() {
        while (!toClose.isEmpty()) {
            try {
                toClose.pop().close();
            } catch (Exception e) {
                log.warn("error while stopping: {}", e.getMessage());
            }
        }
    }

    private <T extends AutoCloseable> T remember(T resource) {
        toClose.push(resource);
        return resource;
    }
}
