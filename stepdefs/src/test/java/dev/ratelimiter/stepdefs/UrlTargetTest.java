package dev.ratelimiter.stepdefs;

import static io.cucumber.junit.platform.engine.Constants.GLUE_PROPERTY_NAME;
import static io.cucumber.junit.platform.engine.Constants.PLUGIN_PROPERTY_NAME;

import org.junit.platform.suite.api.ConfigurationParameter;
import org.junit.platform.suite.api.IncludeEngines;
import org.junit.platform.suite.api.SelectPackages;
import org.junit.platform.suite.api.Suite;

/**
 * Every scenario against any server at {@code RATELIMITER_URL}, ours or another implementation;
 * skipped with one line when the variable is not set.
 */
@Suite
@IncludeEngines("cucumber")
@SelectPackages("dev.ratelimiter.features")
@ConfigurationParameter(
        key = GLUE_PROPERTY_NAME,
        value = "dev.ratelimiter.stepdefs.steps,dev.ratelimiter.stepdefs.hooks.url")
@ConfigurationParameter(
        key = PLUGIN_PROPERTY_NAME,
        value = "html:target/cucumber/url.html,json:target/cucumber/url.json")
public class UrlTargetTest {}
