package dev.ratelimiter.core.registry;

import dev.ratelimiter.core.model.LimitDefinition;
import dev.ratelimiter.core.wire.InvalidEntryException;
import dev.ratelimiter.core.wire.InvalidRequestException;
import dev.ratelimiter.core.wire.RequestValidator;
import dev.ratelimiter.core.wire.WireCodec;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads a limits file: the seed of a registry, as the project ships it in its example
 * ({@code {"limits": [LimitDefinition...]}}, SPEC 4). Each definition is checked with the admin
 * API's rules and returned normalised (trimmed, kind and overage lowercase); a key may appear once.
 * Any problem is an {@link InvalidRegistryException} naming the file, the entry and the rule.
 *
 * <p>Stateless and thread-safe.
 */
public final class LimitsFile {

    private LimitsFile() {}

    /**
     * The definitions of the limits file {@code file}, in file order.
     *
     * @throws InvalidRegistryException when the file is not a valid limits file
     * @throws IOException when it cannot be read (a missing file is an error: it was asked for)
     */
    public static List<LimitDefinition> read(Path file) throws IOException {
        return parse(Files.readAllBytes(file), "limits file " + file);
    }

    /**
     * The definitions in {@code content}, for a limits file that is not a file of its own (a
     * resource on the class path); {@code source} names it in errors.
     *
     * @throws InvalidRegistryException when the content is not a valid limits file
     */
    public static List<LimitDefinition> parse(byte[] content, String source) {
        List<LimitDefinition> decoded;
        try {
            decoded = new WireCodec().readLimitDefinitions(content);
        } catch (InvalidEntryException e) {
            throw new InvalidRegistryException(source + ", " + e.getMessage());
        } catch (InvalidRequestException e) {
            throw new InvalidRegistryException(source + ": " + e.detail());
        }
        List<LimitDefinition> definitions = new ArrayList<>(decoded.size());
        Map<String, Integer> indexByKey = new HashMap<>();
        for (int i = 0; i < decoded.size(); i++) {
            LimitDefinition raw = decoded.get(i);
            LimitDefinition definition;
            try {
                definition = RequestValidator.normalise(raw);
            } catch (InvalidRequestException e) {
                throw new InvalidRegistryException(
                        source + ", " + InvalidEntryException.describe(i, raw.key()) + ": " + e.detail());
            }
            Integer first = indexByKey.putIfAbsent(definition.key(), i);
            if (first != null) {
                throw new InvalidRegistryException(source + ", " + InvalidEntryException.describe(i, raw.key())
                        + ": key: \"" + definition.key() + "\" is already defined by entry " + first);
            }
            definitions.add(definition);
        }
        return List.copyOf(definitions);
    }
}
