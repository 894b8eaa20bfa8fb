package com.altus.hub.platform.ops;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.regex.Pattern;

import com.altus.hub.platform.config.HubSettings;

/**
 * Removes secrets from text that leaves the process (error messages in run records, dead
 * letters, problem responses): every configured secret value, plus the shapes secrets take in
 * URLs and headers (SAS signatures, account keys, bearer tokens, passwords in URIs).
 */
public final class Redactor {
    private static final Pattern SHAPES = Pattern.compile(
            "(?i)(sig=)[^&\\s\"']+|(AccountKey=)[^;\\s\"']+|(SharedAccessSignature=)[^;\\s\"']+"
                    + "|(bearer\\s+)[A-Za-z0-9._~+/=-]{8,}|(apikey[\"']?\\s*[:=]\\s*[\"']?)[^\\s\"',]+"
                    + "|(://[^:/@\\s]+:)[^@/\\s]+(@)");
    private final List<String> secrets;

    public Redactor(List<String> secrets) {
        List<String> s = new ArrayList<>();
        for (String v : secrets) {
            if (v != null && v.length() >= 6) {
                s.add(v);
            }
        }
        s.sort(Comparator.comparingInt(String::length).reversed());
        this.secrets = List.copyOf(s);
    }

    public static Redactor of(HubSettings settings, String apiToken) {
        List<String> s = new ArrayList<>();
        s.add(apiToken);
        settings.database.ifPresent(d -> s.add(d.password()));
        settings.supabaseServiceRoleKey.ifPresent(s::add);
        settings.doorloopToken.ifPresent(s::add);
        settings.dropbox.ifPresent(c -> { s.add(c.appSecret()); s.add(c.refreshToken()); });
        settings.teamDropbox.ifPresent(c -> { s.add(c.appSecret()); s.add(c.refreshToken()); });
        settings.maidCentral.ifPresent(m -> s.add(m.password()));
        settings.azureSasUrl.ifPresent(u -> s.add(u.getRawQuery()));
        settings.azureConnectionString.ifPresent(s::add);
        return new Redactor(s);
    }

    public String redact(String text) {
        if (text == null || text.isEmpty()) {
            return text;
        }
        String out = text;
        for (String secret : secrets) {
            if (out.contains(secret)) {
                out = out.replace(secret, "***");
            }
        }
        return SHAPES.matcher(out).replaceAll(m -> {
            for (int g = 1; g <= m.groupCount(); g++) {
                if (m.group(g) != null) {
                    String tail = g == 6 && m.group(7) != null ? m.group(7) : "";
                    return java.util.regex.Matcher.quoteReplacement(m.group(g) + "***" + tail);
                }
            }
            return "***";
        });
    }
}
