package com.altus.hub.legal;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/**
 * The staging's duplicate pre-check: it may raise a false alarm (the database then decides) but
 * must never miss a case number that is in two rows, as the staging table will hold them.
 */
class CaseNumberHashesTest {

    private static boolean duplicates(String... caseNumbers) {
        LegalRepository.CaseNumberHashes h = new LegalRepository.CaseNumberHashes();
        for (String c : caseNumbers) {
            h.add(c);
        }
        return h.possibleDuplicates();
    }

    @Test
    void distinctCaseNumbersAreNoDuplicates() {
        LegalRepository.CaseNumberHashes h = new LegalRepository.CaseNumberHashes();
        for (int i = 0; i < 300_000; i++) { // the table grows well past its first size
            h.add(String.format("B-%07d", i));
        }
        h.add(null); // blank case numbers are the row's own error, not duplicates
        h.add(null);
        assertThat(h.possibleDuplicates()).isFalse();
        assertThat(duplicates("2025-EV-1", "2025-ev-1", "2025-EV-1 ")).isFalse();
    }

    @Test
    void aRepeatedCaseNumberIsFoundWherever_itIs() {
        assertThat(duplicates("A", "B", "A")).isTrue();
        String[] many = new String[50_001];
        for (int i = 0; i < 50_000; i++) {
            many[i] = "C-" + i;
        }
        many[50_000] = "C-17";
        assertThat(duplicates(many)).isTrue();
    }

    @Test
    void textTheStagingTableHoldsAlikeCollides() {
        // COPY writes NUL as a blank; unpaired surrogates are written as '?'
        assertThat(duplicates("A\0B", "A B")).isTrue();
        assertThat(duplicates("X\uD800", "X?")).isTrue();
    }
}
