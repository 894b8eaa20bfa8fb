package com.altus.hub.platform.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HashMap;
import java.util.Map;

import org.junit.jupiter.api.Test;

class HubSettingsTest {

    private static HubSettings settings(String... kv) {
        Map<String, String> env = new HashMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            env.put(kv[i], kv[i + 1]);
        }
        return HubSettings.from(env::get);
    }

    private static void rejects(String variable, String... kv) {
        assertThatThrownBy(() -> settings(kv)).isInstanceOf(ConfigException.class)
                .satisfies(e -> assertThat(((ConfigException) e).variable()).isEqualTo(variable))
                .hasMessageStartingWith(variable + ": ");
    }

    @Test
    void defaultsAreTheEmbeddedWorld() {
        HubSettings s = settings();
        assertThat(s.embeddedDatabase()).isTrue();
        assertThat(s.port).isEqualTo(8080);
        assertThat(s.bind).isEqualTo("127.0.0.1");
        assertThat(s.loopbackOnly()).isTrue();
        assertThat(s.dataDir.getFileName().toString()).isEqualTo("data");
        assertThat(s.blobDir.toString()).endsWith("samples/azure-blobs");
        assertThat(s.supabaseBucket).isEqualTo("schedule-data");
        assertThat(s.dropboxRoot).isEqualTo("/Altus_Empire_Command_Center");
        assertThat(s.doorloopBaseUrl.toString()).isEqualTo("https://app.doorloop.com/api");
        assertThat(s.dropbox).isEmpty();
        assertThat(s.maidCentral).isEmpty();
        assertThat(s.scheduleOverrides).isEmpty();
    }

    @Test
    void malformedSettingsNameTheirVariable() {
        rejects("HUB_PORT", "HUB_PORT", "eighty");
        rejects("HUB_PORT", "HUB_PORT", "70000");
        rejects("DATABASE_URL", "DATABASE_URL", "mysql://x/y");
        rejects("HUB_API_TOKEN", "HUB_API_TOKEN", "short");
        rejects("SUPABASE_SERVICE_ROLE_KEY", "SUPABASE_URL", "https://x.supabase.co");
        rejects("SUPABASE_URL", "SUPABASE_URL", "not a url", "SUPABASE_SERVICE_ROLE_KEY", "k");
        rejects("DROPBOX_APP_SECRET", "DROPBOX_APP_KEY", "k", "DROPBOX_REFRESH_TOKEN", "r");
        rejects("AZURE_BLOB_CONTAINER", "AZURE_STORAGE_CONNECTION_STRING", "AccountName=a;AccountKey=b");
        rejects("AZURE_BLOB_CONTAINER", "AZURE_STORAGE_CONNECTION_STRING", "AccountName=a;AccountKey=b", "AZURE_BLOB_CONTAINER", "Bad_Name");
        rejects("AZURE_STORAGE_CONNECTION_STRING", "AZURE_STORAGE_CONNECTION_STRING", "garbage", "AZURE_BLOB_CONTAINER", "ok-name");
        rejects("AZURE_BLOB_SAS_URL", "AZURE_BLOB_SAS_URL", "https://acct.blob.core.windows.net/c?sv=1");
        rejects("HUB_SCHEDULE_AZURE_SYNC", "HUB_SCHEDULE_AZURE_SYNC", "every 5 minutes");
        rejects("HUB_SCHEDULE_LEGAL_IMPORT", "HUB_SCHEDULE_LEGAL_IMPORT", "0 0/5 * * * ?");
        rejects("DROPBOX_ROOT", "DROPBOX_ROOT", "relative/path");
        rejects("MAIDCENTRAL_PASSWORD", "MAIDCENTRAL_BASE_URL", "https://mc.example.com", "MAIDCENTRAL_USERNAME", "u");
    }

    @Test
    void secretsNeverAppearInMessagesOrToString() {
        assertThatThrownBy(() -> settings("DATABASE_URL", "mysql://user:hunter2@host/db"))
                .hasMessageNotContaining("hunter2");
        HubSettings s = settings("DATABASE_URL", "postgres://app:s3cr%40t@db.example.com:6543/hub?sslmode=require",
                "DROPBOX_APP_KEY", "key", "DROPBOX_APP_SECRET", "dropbox-secret", "DROPBOX_REFRESH_TOKEN", "refresh-secret");
        assertThat(s.toString()).doesNotContain("s3cr").doesNotContain("dropbox-secret");
        assertThat(s.database.get().toString()).doesNotContain("s3cr");
        assertThat(s.dropbox.get().toString()).doesNotContain("secret");
    }

    @Test
    void libpqUrisBecomeJdbcUrls() {
        HubSettings s = settings("DATABASE_URL", "postgres://app:s3cr%40t@db.example.com:6543/hub?sslmode=require");
        assertThat(s.database.get().jdbcUrl()).isEqualTo("jdbc:postgresql://db.example.com:6543/hub?sslmode=require");
        assertThat(s.database.get().user()).isEqualTo("app");
        assertThat(s.database.get().password()).isEqualTo("s3cr@t");
        HubSettings explicit = settings("DATABASE_URL", "postgres://app:x@h/db", "DATABASE_USER", "other");
        assertThat(explicit.database.get().user()).isEqualTo("other");
    }

    @Test
    void schedulesAcceptCronOrOff() {
        HubSettings s = settings("HUB_SCHEDULE_AZURE_SYNC", "off", "HUB_SCHEDULE_DLQ_REPLAY", "0 0/5 * * * ?");
        assertThat(s.scheduleOverrides).containsEntry("azure-sync", "off").containsEntry("dlq-replay", "0 0/5 * * * ?");
        assertThat(HubSettings.scheduleVariable("doorloop-kpis")).isEqualTo("HUB_SCHEDULE_DOORLOOP_KPIS");
        assertThat(HubSettings.unknownScheduleVariables(Map.of("HUB_SCHEDULE_AZURE_SYNCH", "off", "HUB_SCHEDULE_AZURE_SYNC", "off")))
                .containsExactly("HUB_SCHEDULE_AZURE_SYNCH");
    }

    @Test
    void azureSourcesAreExclusive() {
        rejects("AZURE_BLOB_SAS_URL", "AZURE_STORAGE_CONNECTION_STRING", "AccountName=a;AccountKey=b", "AZURE_BLOB_CONTAINER", "abc",
                "AZURE_BLOB_SAS_URL", "https://a.blob.core.windows.net/c?sv=1&sig=x");
        HubSettings sas = settings("AZURE_BLOB_SAS_URL", "http://127.0.0.1:10000/devstoreaccount1/schedules?sv=1&se=2030&sig=abc");
        assertThat(sas.azureSasUrl).isPresent();
    }
}
