package dev.ratelimiter.server;

import dev.ratelimiter.core.journal.FaultyIo;
import dev.ratelimiter.core.journal.JournalIo;
import dev.ratelimiter.server.config.LimiterSettings;
import dev.ratelimiter.server.config.MemorySettings;
import dev.ratelimiter.server.config.RetrySettings;
import dev.ratelimiter.server.config.TigerBeetleSettings;
import dev.ratelimiter.server.lifecycle.BackendFactory;
import io.micronaut.context.annotation.Replaces;
import io.micronaut.context.annotation.Requires;
import jakarta.inject.Singleton;

/** The real memory backend and journal, whose writes fail while a test says so ({@code test.faulty-journal=true}). */
@Singleton
@Replaces(BackendFactory.class)
@Requires(property = "test.faulty-journal", value = "true")
class FaultyJournalFactory extends BackendFactory {
    final FaultyIo io = new FaultyIo();

    FaultyJournalFactory(
            LimiterSettings settings, MemorySettings memory, RetrySettings retry, TigerBeetleSettings tigerBeetle) {
        super(settings, memory, retry, tigerBeetle);
    }

    @Override
    protected JournalIo journalIo() {
        return io;
    }
}
