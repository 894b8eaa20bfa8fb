package com.altus.hub.export;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.time.DateTimeException;
import java.time.ZoneId;
import java.util.Collections;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * Windows time zone ids ({@code TimeZoneInfoId}, e.g. "Eastern Standard Time") to IANA zones, from
 * the complete CLDR table ({@code export/windows-zones.tsv}: every {@code territory="001"} row of
 * windowsZones.xml, the zone Windows means by the id). An id that already is an IANA zone
 * ("America/New_York") is taken as it is. Lookups ignore case.
 */
public final class WindowsZones {
    static final String RESOURCE = "/export/windows-zones.tsv";
    private static final WindowsZones CLDR = load();

    private final Map<String, ZoneId> zones;

    private WindowsZones(Map<String, ZoneId> zones) {
        this.zones = Collections.unmodifiableMap(zones);
    }

    public static WindowsZones cldr() {
        return CLDR;
    }

    /** The IANA zone of a Windows id (or of an IANA id); empty when it is neither. */
    public Optional<ZoneId> zoneOf(String timeZoneInfoId) {
        if (timeZoneInfoId == null || timeZoneInfoId.isBlank()) {
            return Optional.empty();
        }
        ZoneId z = zones.get(timeZoneInfoId.trim().toLowerCase(Locale.ROOT));
        if (z != null) {
            return Optional.of(z);
        }
        if (timeZoneInfoId.contains("/")) {
            try {
                return Optional.of(ZoneId.of(timeZoneInfoId.trim()));
            } catch (DateTimeException notIana) {
                return Optional.empty();
            }
        }
        return Optional.empty();
    }

    /** How many Windows ids the table maps. */
    public int size() {
        return zones.size();
    }

    /** The table as read, Windows id (lower case) to zone. */
    Map<String, ZoneId> table() {
        return zones;
    }

    private static WindowsZones load() {
        Map<String, ZoneId> out = new HashMap<>();
        try (InputStream in = WindowsZones.class.getResourceAsStream(RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException("the Windows zone table " + RESOURCE + " is missing from the classpath");
            }
            BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
            String line;
            int n = 0;
            while ((line = r.readLine()) != null) {
                n++;
                if (line.isBlank() || line.startsWith("#")) {
                    continue;
                }
                int tab = line.indexOf('\t');
                if (tab <= 0) {
                    throw new IllegalStateException(RESOURCE + " line " + n + " is not 'windows id<TAB>iana id'");
                }
                out.put(line.substring(0, tab).trim().toLowerCase(Locale.ROOT), ZoneId.of(line.substring(tab + 1).trim()));
            }
        } catch (IOException e) {
            throw new IllegalStateException("cannot read " + RESOURCE, e);
        }
        return new WindowsZones(out);
    }
}
