package dev.ratelimiter.stepdefs.steps;

import java.util.ArrayList;
import java.util.List;

/** Expands "many-1" to "many-32" into the 32 names in between. Stateless. */
final class Numbered {
    private Numbered() {}

    /** The names from {@code first} to {@code last}, which must share a prefix and end in 1 and a number. */
    static List<String> range(String first, String last) {
        String prefix = prefixOf(first);
        if (prefix.length() == last.length() || !prefix.equals(prefixOf(last)) || !first.equals(prefix + 1)) {
            throw new IllegalArgumentException(
                    "expected a range like \"x-1\" to \"x-32\", got \"" + first + "\" to \"" + last + "\"");
        }
        int count = Integer.parseInt(last.substring(prefix.length()));
        List<String> names = new ArrayList<>(count);
        for (int i = 1; i <= count; i++) {
            names.add(prefix + i);
        }
        return names;
    }

    private static String prefixOf(String name) {
        int end = name.length();
        while (end > 0 && Character.isDigit(name.charAt(end - 1))) {
            end--;
        }
        return name.substring(0, end);
    }
}
