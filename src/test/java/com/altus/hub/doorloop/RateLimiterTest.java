package com.altus.hub.doorloop;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

class RateLimiterTest {

    private final VirtualPacer clock = new VirtualPacer();
    private final RateLimiter limiter = new RateLimiter(List.of(new RateLimiter.Window(50, Duration.ofMinutes(1)),
            new RateLimiter.Window(500, Duration.ofHours(1))), clock);

    @Test
    void neverMoreThanFiftyInAnyMinuteNorFiveHundredInAnyHour() throws Exception {
        List<Long> sent = new ArrayList<>();
        for (int i = 0; i < 1100; i++) {
            limiter.acquire();
            sent.add(clock.nanoTime());
            // a request takes a little time of its own
            clock.advance(Duration.ofMillis(200));
        }
        long minute = Duration.ofMinutes(1).toNanos();
        long hour = Duration.ofHours(1).toNanos();
        for (int i = 50; i < sent.size(); i++) {
            assertThat(sent.get(i) - sent.get(i - 50)).as("request %d vs %d", i, i - 50).isGreaterThanOrEqualTo(minute);
        }
        for (int i = 500; i < sent.size(); i++) {
            assertThat(sent.get(i) - sent.get(i - 500)).as("request %d vs %d", i, i - 500).isGreaterThanOrEqualTo(hour);
        }
        // 1100 requests at 500 an hour need two full hours of waiting before the last batch
        assertThat(sent.get(sent.size() - 1) - sent.get(0)).isGreaterThanOrEqualTo(2 * hour);
    }

    @Test
    void blocksOnlyWhenTheBudgetIsUsedAndReportsTheWait() throws Exception {
        for (int i = 0; i < 50; i++) {
            assertThat(limiter.acquire()).isZero();
        }
        assertThat(clock.sleeps()).isEmpty();
        clock.advance(Duration.ofSeconds(45));
        Duration waited = limiter.acquire();
        assertThat(waited).isEqualTo(Duration.ofSeconds(15));
        assertThat(clock.sleeps()).containsExactly(Duration.ofSeconds(15));
    }

    @Test
    void theHourlyWindowHoldsBackEvenWhenTheMinuteHasRoom() throws Exception {
        RateLimiter hourly = new RateLimiter(List.of(new RateLimiter.Window(50, Duration.ofMinutes(1)),
                new RateLimiter.Window(500, Duration.ofHours(1))), clock);
        long start = clock.nanoTime();
        for (int i = 0; i < 500; i++) {
            hourly.acquire();
            clock.advance(Duration.ofSeconds(2));
        }
        // 500 requests 2 s apart span 1000 s; the 501st waits for the first to leave the hour
        hourly.acquire();
        assertThat(clock.nanoTime() - start).isEqualTo(Duration.ofHours(1).toNanos());
    }
}
