package dev.ratelimiter.bench.loadtest;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.nio.file.Path;

/**
 * Writes {@link ReportData} as an indented JSON file.
 *
 * <p>Thread-safe: the mapper is configured once and only used to write.
 */
final class JsonReport {
    private static final ObjectMapper MAPPER = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private JsonReport() {}

    static String of(LoadResult result) {
        try {
            return MAPPER.writeValueAsString(ReportData.of(result));
        } catch (IOException e) {
            // Maps of strings, numbers and lists always serialise; a failure here is a bug.
            throw new IllegalStateException("could not write the report as JSON", e);
        }
    }

    static void write(LoadResult result, Path file) throws IOException {
        ReportFiles.write(file, of(result));
    }
}
