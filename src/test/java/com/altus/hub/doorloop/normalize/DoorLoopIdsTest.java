package com.altus.hub.doorloop.normalize;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.UUID;

import org.junit.jupiter.api.Test;

/** UUIDv5 ids: the RFC algorithm, checked against Python's uuid.uuid5 on the same namespace. */
class DoorLoopIdsTest {

    @Test
    void matchesAnIndependentUuid5Implementation() {
        // python3 -c "import uuid; ns=uuid.UUID('1d9087e5-f1b4-5862-b675-10e4b2fcf7dd'); print(uuid.uuid5(ns, '68dd57a058634ea310f7bc13'))"
        assertThat(DoorLoopIds.uuid("68dd57a058634ea310f7bc13")).isEqualTo(UUID.fromString(PY_PROPERTY));
        assertThat(DoorLoopIds.uuid("Café/ü")).isEqualTo(UUID.fromString(PY_UNICODE));
        // the namespace itself is uuid5(NAMESPACE_URL, the DoorLoop API URL)
        assertThat(DoorLoopIds.NAMESPACE.version()).isEqualTo(5);
    }

    @Test
    void isVersion5VariantRfcAndStable() {
        UUID a = DoorLoopIds.uuid("626964e4232893a919f7bc14");
        assertThat(a.version()).isEqualTo(5);
        assertThat(a.variant()).isEqualTo(2);
        assertThat(DoorLoopIds.uuid("626964e4232893a919f7bc14")).isEqualTo(a);
        assertThat(DoorLoopIds.uuid("626964e4232893a919f7bc15")).isNotEqualTo(a);
        assertThatThrownBy(() -> DoorLoopIds.uuid(null)).isInstanceOf(IllegalArgumentException.class);
    }

    static final String PY_PROPERTY = "2e9436d2-83ce-546e-870f-e458dd79eef5";
    static final String PY_UNICODE = "808436f1-5d2f-59ab-a1cf-ae19fd3f66e2";
}
