package com.altus.hub.schedule;

import java.time.OffsetDateTime;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/** What users.json holds besides its users (which are streamed): groups, companies, GeneratedAt, count. */
public record UsersFile(Map<Integer, Group> groups, Map<Integer, Company> companies, long users, OffsetDateTime generatedAt) {

    public record Group(int id, String name, boolean active) {
    }

    public record Company(int id, int groupId, String name, boolean active) {
    }

    /** One user as it goes into {@code user_profiles}. */
    public record User(UUID id, String email, String firstName, String lastName, String fullName,
                       Integer employeeInformationId, List<String> roles, int companyId) {
    }
}
