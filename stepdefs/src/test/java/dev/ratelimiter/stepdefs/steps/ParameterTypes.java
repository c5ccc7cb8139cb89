package dev.ratelimiter.stepdefs.steps;

import io.cucumber.java.ParameterType;
import java.util.List;

/** The scenario's own words that Cucumber turns into values. Stateless. */
public final class ParameterTypes {
    private static final List<String> ORDINALS = List.of("first", "second", "third", "fourth", "fifth", "sixth");

    /** "the third reserve": the index (from 0) of a reservation among those of the scenario. */
    @ParameterType("first|second|third|fourth|fifth|sixth")
    public Integer ordinal(String word) {
        return ORDINALS.indexOf(word);
    }

    /** "active" or "decreasing", the two states of a limit. */
    @ParameterType("active|decreasing")
    public String status(String word) {
        return word;
    }
}
