package com.altus.hub.legal;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.LocalDate;

import org.junit.jupiter.api.Test;

/** The row rules on their own: what a valid row is, and the reasons a row is rejected for. */
class CaseRowTest {

    private static String[] cells(String caseNumber, String type, String phase, String claimed, String filing, String judgment) {
        return new String[]{caseNumber, "Ana Núñez", "1 Main St, Springfield, IL 62701", "Unit 1", type, phase, claimed, filing,
                null, judgment, null, null};
    }

    @Test
    void aValidRowHasTypedValues() {
        CaseRow r = CaseRow.of(7, cells("  2025-EV-00012 ", "Eviction", "Hearing Scheduled", "1200.5", "2025-02-28", "0.10"));
        assertThat(r.valid()).as(r.toString()).isTrue();
        assertThat(r.rowNumber()).isEqualTo(7);
        assertThat(r.caseNumber()).isEqualTo("2025-EV-00012");
        assertThat(r.caseType()).isEqualTo("eviction");
        assertThat(r.phase()).isEqualTo("hearing_scheduled");
        assertThat(r.amountClaimed()).isEqualByComparingTo("1200.50");
        assertThat(r.amountClaimed().scale()).isEqualTo(2);
        assertThat(r.filingDate()).isEqualTo(LocalDate.of(2025, 2, 28));
        assertThat(r.judgmentAmount()).isEqualByComparingTo("0.1");
    }

    @Test
    void rejectionsNameTheValueAndTheRule() {
        assertThat(CaseRow.of(2, cells("C", "foreclosure", "intake", null, null, null)).error())
                .isEqualTo("case type 'foreclosure' is not one of eviction, collections, damages");
        assertThat(CaseRow.of(2, cells("C", "eviction", "appeal", null, null, null)).error())
                .isEqualTo("phase 'appeal' is not one of intake, notice_served, filed, hearing_scheduled, judgment, writ_issued, closed");
        assertThat(CaseRow.of(2, cells("C", "eviction", "filed", null, "2025-02-30", null)).error())
                .isEqualTo("Filing Date '2025-02-30' is not a date");
        assertThat(CaseRow.of(2, cells("C", "eviction", "filed", null, "next Tuesday", null)).error())
                .isEqualTo("Filing Date 'next Tuesday' is not a date");
        assertThat(CaseRow.of(2, cells("C", "eviction", "filed", "-1", null, null)).error())
                .isEqualTo("Amount Claimed '-1' must be 0 or more");
        assertThat(CaseRow.of(2, cells("C", "eviction", "filed", "10.005", null, null)).error())
                .isEqualTo("Amount Claimed '10.005' has more than 2 decimals");
        assertThat(CaseRow.of(2, cells("C", "eviction", "filed", "$1,200", null, null)).error())
                .isEqualTo("Amount Claimed '$1,200' is not a number");
        assertThat(CaseRow.of(2, cells("C", "eviction", "filed", null, null, "1e20")).error())
                .isEqualTo("Judgment Amount '1e20' is larger than 999999999999.99");
        assertThat(CaseRow.of(2, cells(null, "eviction", "filed", null, null, null)).error()).isEqualTo("Case Number is required");
        assertThat(CaseRow.of(2, cells("../etc", "eviction", "filed", null, null, null)).error())
                .startsWith("Case Number '../etc' cannot name its folder");
        assertThat(CaseRow.of(2, cells("X".repeat(65), "eviction", "filed", null, null, null)).error())
                .contains("is longer than 64 characters");
        // several problems are all reported
        assertThat(CaseRow.of(2, cells("C", "x", "y", "z", null, null)).error().split("; ")).hasSize(3);
    }

    @Test
    void quotesAsTheGeneratorDoes() {
        assertThat(CaseRow.quote("Casey Nobody-Known")).isEqualTo("'Casey Nobody-Known'");
        assertThat(CaseRow.quote("O'Connor")).isEqualTo("\"O'Connor\"");
    }

    @Test
    void blankRowsAreBlank() {
        assertThat(CaseRow.blank(new String[]{null, " ", "\u00A0", null})).isTrue();
        assertThat(CaseRow.blank(new String[]{null, "x"})).isFalse();
    }

    @Test
    void choicesIgnoreCaseBlanksAndHyphens() {
        assertThat(CaseRow.choiceKey("Hearing Scheduled")).isEqualTo("hearing_scheduled");
        assertThat(CaseRow.choiceKey("notice-served")).isEqualTo("notice_served");
        assertThat(CaseRow.choiceKey("Notice \t\u00A0 Served")).isEqualTo("notice_served");
        assertThat(CaseRow.choiceKey("writ_issued")).isEqualTo("writ_issued");
        assertThat(CaseRow.choiceKey("EVICTION")).isEqualTo("eviction");
        assertThat(CaseRow.of(2, cells("C", "Collections", "Writ - Issued", null, null, null)).error())
                .isEqualTo("phase 'Writ - Issued' is not one of intake, notice_served, filed, hearing_scheduled, judgment, writ_issued, closed");
    }

    @Test
    void datesAreStrictIsoDays() {
        assertThat(CaseRow.of(2, cells("C", "eviction", "filed", null, "2024-02-29", null)).filingDate())
                .isEqualTo(LocalDate.of(2024, 2, 29));
        assertThat(CaseRow.of(2, cells("C", "eviction", "filed", null, "2025-13-01", null)).error())
                .isEqualTo("Filing Date '2025-13-01' is not a date");
        assertThat(CaseRow.of(2, cells("C", "eviction", "filed", null, "2025-1-01", null)).error())
                .isEqualTo("Filing Date '2025-1-01' is not a date");
        assertThat(CaseRow.of(2, cells("C", "eviction", "filed", null, "2025-0a-01", null)).error())
                .isEqualTo("Filing Date '2025-0a-01' is not a date");
    }
}
