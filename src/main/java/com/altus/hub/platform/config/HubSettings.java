package com.altus.hub.platform.config;

import java.io.IOException;
import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.quartz.CronExpression;

/**
 * The hub's external configuration (CONTRACT section 3), read from environment variables and
 * validated up front so that a bad setting stops startup with one line that names it.
 * Secrets are held here but never appear in {@link #toString()} or in error messages.
 */
public final class HubSettings {

    /** Every flow of the contract; HUB_SCHEDULE_<FLOW> is accepted for these. */
    public static final List<String> KNOWN_FLOWS = List.of(
            "azure-sync", "maidcentral-export", "doorloop-sync", "doorloop-normalize", "doorloop-kpis",
            "drift-detector", "teamspace-migrate", "dlq-replay", "legal-import");
    /**
     * Flows with no schedule of their own (CONTRACT section 4: after doorloop-sync, manual): their
     * schedule routes (routes/on-demand.yaml) start only when HUB_SCHEDULE_<FLOW> sets a cron.
     */
    public static final List<String> UNSCHEDULED_FLOWS = List.of("doorloop-normalize", "doorloop-kpis", "teamspace-migrate");
    /** Runs on upload (or a workbook dropped in its inbox): a cron has nothing to import. */
    public static final String UPLOAD_FLOW = "legal-import";

    private static final Pattern CONTAINER_NAME = Pattern.compile("^[a-z0-9](?:[a-z0-9]|-(?=[a-z0-9])){2,62}$");

    private final Function<String, String> source;

    public final Optional<Database> database;
    public final Path dataDir;
    /** A folder of YAML routes that replaces the ones packaged in the jar (classpath:routes/*.yaml). */
    public final Optional<Path> routesDir;
    public final Optional<String> apiToken;
    public final int port;
    public final String bind;
    public final Optional<String> azureConnectionString;
    public final Optional<URI> azureSasUrl;
    public final Optional<String> azureContainer;
    public final Path blobDir;
    public final Optional<URI> supabaseUrl;
    public final Optional<String> supabaseServiceRoleKey;
    public final String supabaseBucket;
    public final Optional<String> doorloopToken;
    public final URI doorloopBaseUrl;
    public final Path doorloopFixtures;
    public final Optional<Credentials> dropbox;
    public final URI dropboxApiUrl;
    public final URI dropboxContentUrl;
    public final URI dropboxOauthUrl;
    public final String dropboxRoot;
    public final Optional<Credentials> teamDropbox;
    public final Optional<String> teamDropboxRootNamespaceId;
    public final Optional<MaidCentral> maidCentral;
    /** flow -> cron (Quartz syntax, UTC) or "off"; only flows whose variable is set. */
    public final Map<String, String> scheduleOverrides;

    /** JDBC connection settings; the password is never printed. */
    public record Database(String jdbcUrl, String user, String password) {
        @Override
        public String toString() {
            return "Database[" + jdbcUrl + ", user=" + user + "]";
        }
    }

    /** A Dropbox app's refresh-token credentials. */
    public record Credentials(String appKey, String appSecret, String refreshToken) {
        @Override
        public String toString() {
            return "Credentials[appKey=" + appKey + "]";
        }
    }

    /** MaidCentral API access for the exporter. */
    public record MaidCentral(URI baseUrl, String username, String password) {
        @Override
        public String toString() {
            return "MaidCentral[" + baseUrl + ", user=" + username + "]";
        }
    }

    private HubSettings(Function<String, String> source) {
        this.source = source;
        this.dataDir = path("HUB_DATA_DIR", "./data");
        this.routesDir = optional("HUB_ROUTES_DIR").map(v -> routesDir(path("HUB_ROUTES_DIR", v)));
        this.database = database();
        this.apiToken = optional("HUB_API_TOKEN").map(t -> {
            if (t.length() < 16 || t.chars().anyMatch(Character::isWhitespace)) {
                throw new ConfigException("HUB_API_TOKEN", "must be at least 16 characters without whitespace");
            }
            return t;
        });
        this.port = integer("HUB_PORT", 8080, 0, 65535);
        this.bind = optional("HUB_BIND").orElse("127.0.0.1");
        checkBind(bind);

        this.azureConnectionString = optional("AZURE_STORAGE_CONNECTION_STRING");
        this.azureSasUrl = optional("AZURE_BLOB_SAS_URL").map(v -> url("AZURE_BLOB_SAS_URL", v));
        if (azureConnectionString.isPresent() && azureSasUrl.isPresent()) {
            throw new ConfigException("AZURE_BLOB_SAS_URL", "set either it or AZURE_STORAGE_CONNECTION_STRING, not both");
        }
        azureConnectionString.ifPresent(HubSettings::checkConnectionString);
        azureSasUrl.ifPresent(HubSettings::checkSasUrl);
        this.azureContainer = optional("AZURE_BLOB_CONTAINER").map(c -> {
            if (!CONTAINER_NAME.matcher(c).matches()) {
                throw new ConfigException("AZURE_BLOB_CONTAINER",
                        "must be 3-63 lowercase letters, digits and single hyphens, got '" + c + "'");
            }
            return c;
        });
        if (azureConnectionString.isPresent() && azureContainer.isEmpty()) {
            throw new ConfigException("AZURE_BLOB_CONTAINER", "is required with AZURE_STORAGE_CONNECTION_STRING");
        }
        this.blobDir = path("HUB_BLOB_DIR", "samples/azure-blobs");

        this.supabaseUrl = optional("SUPABASE_URL").map(v -> url("SUPABASE_URL", v));
        this.supabaseServiceRoleKey = optional("SUPABASE_SERVICE_ROLE_KEY");
        if (supabaseUrl.isPresent() != supabaseServiceRoleKey.isPresent()) {
            throw new ConfigException(supabaseUrl.isPresent() ? "SUPABASE_SERVICE_ROLE_KEY" : "SUPABASE_URL",
                    "SUPABASE_URL and SUPABASE_SERVICE_ROLE_KEY are set together or not at all");
        }
        this.supabaseBucket = optional("SUPABASE_STORAGE_BUCKET").orElse("schedule-data");

        this.doorloopToken = optional("DOORLOOP_API_TOKEN");
        this.doorloopBaseUrl = url("DOORLOOP_BASE_URL", optional("DOORLOOP_BASE_URL").orElse("https://app.doorloop.com/api"));
        this.doorloopFixtures = path("HUB_DOORLOOP_FIXTURES", "samples/doorloop");

        this.dropbox = credentials("DROPBOX_APP_KEY", "DROPBOX_APP_SECRET", "DROPBOX_REFRESH_TOKEN");
        this.dropboxApiUrl = url("DROPBOX_API_URL", optional("DROPBOX_API_URL").orElse("https://api.dropboxapi.com"));
        this.dropboxContentUrl = url("DROPBOX_CONTENT_URL", optional("DROPBOX_CONTENT_URL").orElse("https://content.dropboxapi.com"));
        this.dropboxOauthUrl = url("DROPBOX_OAUTH_URL", optional("DROPBOX_OAUTH_URL").orElse("https://api.dropbox.com"));
        this.dropboxRoot = optional("DROPBOX_ROOT").orElse("/Altus_Empire_Command_Center");
        if (!dropboxRoot.startsWith("/") || dropboxRoot.contains("..") || dropboxRoot.endsWith("/")) {
            throw new ConfigException("DROPBOX_ROOT", "must be an absolute Dropbox path like /Folder, without '..' or a trailing '/'");
        }
        this.teamDropbox = credentials("TEAM_DROPBOX_APP_KEY", "TEAM_DROPBOX_APP_SECRET", "TEAM_DROPBOX_REFRESH_TOKEN");
        this.teamDropboxRootNamespaceId = optional("TEAM_DROPBOX_ROOT_NAMESPACE_ID");

        Optional<String> mcUrl = optional("MAIDCENTRAL_BASE_URL");
        Optional<String> mcUser = optional("MAIDCENTRAL_USERNAME");
        Optional<String> mcPass = optional("MAIDCENTRAL_PASSWORD");
        if (mcUrl.isPresent() || mcUser.isPresent() || mcPass.isPresent()) {
            requireAll(List.of("MAIDCENTRAL_BASE_URL", "MAIDCENTRAL_USERNAME", "MAIDCENTRAL_PASSWORD"));
            this.maidCentral = Optional.of(new MaidCentral(url("MAIDCENTRAL_BASE_URL", mcUrl.get()), mcUser.get(), mcPass.get()));
        } else {
            this.maidCentral = Optional.empty();
        }
        this.scheduleOverrides = schedules();
    }

    /** Reads and validates the settings; throws {@link ConfigException} on the first bad one. */
    public static HubSettings from(Function<String, String> source) {
        return new HubSettings(source);
    }

    public static HubSettings fromSystem() {
        return from(name -> {
            String v = System.getProperty(name);
            return v != null ? v : System.getenv(name);
        });
    }

    /** The variable name for a flow's schedule: azure-sync -> HUB_SCHEDULE_AZURE_SYNC. */
    public static String scheduleVariable(String flow) {
        return "HUB_SCHEDULE_" + flow.toUpperCase(Locale.ROOT).replace('-', '_');
    }

    public boolean embeddedDatabase() {
        return database.isEmpty();
    }

    public boolean loopbackOnly() {
        try {
            return InetAddress.getByName(bind).isLoopbackAddress();
        } catch (UnknownHostException e) {
            return false;
        }
    }

    private Optional<String> optional(String name) {
        String v = source.apply(name);
        if (v == null || v.isBlank()) {
            return Optional.empty();
        }
        return Optional.of(v.trim());
    }

    private Path path(String name, String def) {
        String v = optional(name).orElse(def);
        if (v.indexOf('\0') >= 0) {
            throw new ConfigException(name, "is not a valid path");
        }
        return Path.of(v).toAbsolutePath().normalize();
    }

    /** An existing directory with at least one *.yaml, and no ',' (Camel's pattern list separator). */
    private static Path routesDir(Path dir) {
        if (!Files.isDirectory(dir)) {
            throw new ConfigException("HUB_ROUTES_DIR", "must be an existing directory, got '" + dir + "'");
        }
        if (dir.toString().contains(",")) {
            throw new ConfigException("HUB_ROUTES_DIR", "must not contain ',', got '" + dir + "'");
        }
        try (Stream<Path> files = Files.list(dir)) {
            if (files.noneMatch(f -> f.getFileName().toString().endsWith(".yaml") && Files.isRegularFile(f))) {
                throw new ConfigException("HUB_ROUTES_DIR", "has no route files (*.yaml): '" + dir + "'");
            }
        } catch (IOException e) {
            throw new ConfigException("HUB_ROUTES_DIR", "cannot be read: '" + dir + "' (" + e.getMessage() + ")");
        }
        return dir;
    }

    /** The Camel routes pattern: the folder's *.yaml when HUB_ROUTES_DIR is set. */
    public Optional<String> routesIncludePattern() {
        return routesDir.map(d -> "file:" + d + "/*.yaml");
    }

    private int integer(String name, int def, int min, int max) {
        Optional<String> v = optional(name);
        if (v.isEmpty()) {
            return def;
        }
        try {
            int n = Integer.parseInt(v.get());
            if (n < min || n > max) {
                throw new ConfigException(name, "must be between " + min + " and " + max + ", got " + n);
            }
            return n;
        } catch (NumberFormatException e) {
            throw new ConfigException(name, "must be an integer, got '" + v.get() + "'");
        }
    }

    private static URI url(String name, String value) {
        try {
            URI uri = new URI(value);
            String scheme = uri.getScheme();
            if (scheme == null || !(scheme.equalsIgnoreCase("http") || scheme.equalsIgnoreCase("https")) || uri.getHost() == null) {
                throw new ConfigException(name, "must be an http(s) URL with a host");
            }
            return uri;
        } catch (java.net.URISyntaxException e) {
            throw new ConfigException(name, "is not a valid URL (" + e.getReason() + ")");
        }
    }

    private static void checkBind(String bind) {
        if (!bind.matches("[A-Za-z0-9.:\\-\\[\\]]+")) {
            throw new ConfigException("HUB_BIND", "must be an IP address or host name, got '" + bind + "'");
        }
    }

    private static void checkConnectionString(String cs) {
        Map<String, String> parts = new LinkedHashMap<>();
        for (String part : cs.split(";")) {
            if (part.isBlank()) {
                continue;
            }
            int eq = part.indexOf('=');
            if (eq <= 0) {
                throw new ConfigException("AZURE_STORAGE_CONNECTION_STRING", "must be Key=Value pairs separated by ';'");
            }
            parts.put(part.substring(0, eq).trim(), part.substring(eq + 1));
        }
        boolean keyAuth = parts.containsKey("AccountName") && parts.containsKey("AccountKey");
        boolean sasAuth = parts.containsKey("SharedAccessSignature") && parts.containsKey("BlobEndpoint");
        boolean dev = "true".equalsIgnoreCase(parts.get("UseDevelopmentStorage"));
        if (!keyAuth && !sasAuth && !dev) {
            throw new ConfigException("AZURE_STORAGE_CONNECTION_STRING",
                    "needs AccountName and AccountKey, or BlobEndpoint and SharedAccessSignature");
        }
    }

    private static void checkSasUrl(URI sas) {
        String q = sas.getRawQuery();
        if (q == null || !q.contains("sig=")) {
            throw new ConfigException("AZURE_BLOB_SAS_URL", "must be a container SAS URL (its query has no sig=)");
        }
        String path = sas.getPath();
        if (path == null || path.isEmpty() || path.equals("/")) {
            throw new ConfigException("AZURE_BLOB_SAS_URL", "must name the container in its path");
        }
    }

    private Optional<Credentials> credentials(String key, String secret, String refresh) {
        List<String> names = List.of(key, secret, refresh);
        if (names.stream().allMatch(n -> optional(n).isEmpty())) {
            return Optional.empty();
        }
        requireAll(names);
        return Optional.of(new Credentials(optional(key).get(), optional(secret).get(), optional(refresh).get()));
    }

    private void requireAll(List<String> names) {
        List<String> missing = new ArrayList<>();
        for (String n : names) {
            if (optional(n).isEmpty()) {
                missing.add(n);
            }
        }
        if (!missing.isEmpty()) {
            throw new ConfigException(missing.get(0), "is missing; " + String.join(", ", names) + " are set together");
        }
    }

    private Optional<Database> database() {
        Optional<String> url = optional("DATABASE_URL");
        if (url.isEmpty()) {
            return Optional.empty();
        }
        String raw = url.get();
        String user = optional("DATABASE_USER").orElse(null);
        String password = optional("DATABASE_PASSWORD").orElse(null);
        if (raw.startsWith("jdbc:postgresql://")) {
            return Optional.of(new Database(raw, user, password));
        }
        if (raw.startsWith("postgres://") || raw.startsWith("postgresql://")) {
            // Supabase and most hosts hand out libpq URIs; credentials inside win over nothing.
            try {
                URI u = new URI(raw);
                if (u.getHost() == null) {
                    throw new ConfigException("DATABASE_URL", "has no host");
                }
                if (u.getRawUserInfo() != null) {
                    String[] ui = u.getRawUserInfo().split(":", 2);
                    if (user == null) {
                        user = java.net.URLDecoder.decode(ui[0], java.nio.charset.StandardCharsets.UTF_8);
                    }
                    if (password == null && ui.length > 1) {
                        password = java.net.URLDecoder.decode(ui[1], java.nio.charset.StandardCharsets.UTF_8);
                    }
                }
                String jdbc = "jdbc:postgresql://" + u.getHost() + (u.getPort() > 0 ? ":" + u.getPort() : "")
                        + (u.getRawPath() == null || u.getRawPath().isEmpty() ? "/postgres" : u.getRawPath())
                        + (u.getRawQuery() != null ? "?" + u.getRawQuery() : "");
                return Optional.of(new Database(jdbc, user, password));
            } catch (java.net.URISyntaxException e) {
                throw new ConfigException("DATABASE_URL", "is not a valid postgres:// URI");
            }
        }
        throw new ConfigException("DATABASE_URL", "must start with jdbc:postgresql:// or postgres://");
    }

    private Map<String, String> schedules() {
        Map<String, String> out = new LinkedHashMap<>();
        for (String flow : KNOWN_FLOWS) {
            String var = scheduleVariable(flow);
            optional(var).ifPresent(v -> {
                if (v.equalsIgnoreCase("off")) {
                    out.put(flow, "off");
                } else if (flow.equals(UPLOAD_FLOW)) {
                    throw new ConfigException(var, "legal-import runs when a workbook is uploaded (POST /api/legal/import) or "
                            + "dropped in its inbox, so it has no schedule; only 'off' is accepted, got '" + v + "'");
                } else if (CronExpression.isValidExpression(v)) {
                    out.put(flow, v);
                } else {
                    throw new ConfigException(var, "must be a Quartz cron expression (e.g. '0 0/15 * * * ?') or 'off', got '" + v + "'");
                }
            });
        }
        return out;
    }

    /** Names of HUB_SCHEDULE_* variables that match no flow (typos the operator should hear about). */
    public static List<String> unknownScheduleVariables(Map<String, String> env) {
        List<String> unknown = new ArrayList<>();
        for (String name : env.keySet()) {
            if (name.startsWith("HUB_SCHEDULE_")
                    && KNOWN_FLOWS.stream().noneMatch(f -> scheduleVariable(f).equals(name))) {
                unknown.add(name);
            }
        }
        return unknown;
    }

    @Override
    public String toString() {
        return "HubSettings[database=" + database.map(Database::toString).orElse("embedded") + ", dataDir=" + dataDir
                + ", bind=" + bind + ":" + port + "]";
    }
}
