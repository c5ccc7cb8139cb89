package dev.ratelimiter.stepdefs;

import static io.cucumber.junit.platform.engine.Constants.GLUE_PROPERTY_NAME;
import static io.cucumber.junit.platform.engine.Constants.PLUGIN_PROPERTY_NAME;

import org.junit.platform.suite.api.ConfigurationParameter;
import org.junit.platform.suite.api.IncludeEngines;
import org.junit.platform.suite.api.SelectPackages;
import org.junit.platform.suite.api.Suite;

/**
 * Every scenario against the server started in this JVM on the memory backend: the default target,
 * the fastest, and the one to debug with.
 */
@Suite
@IncludeEngines("cucumber")
@SelectPackages("dev.ratelimiter.features")
@ConfigurationParameter(
        key = GLUE_PROPERTY_NAME,
        value = "dev.ratelimiter.stepdefs.steps,dev.ratelimiter.stepdefs.hooks.embedded")
@ConfigurationParameter(
        key = PLUGIN_PROPERTY_NAME,
        value = "html:target/cucumber/embedded.html,json:target/cucumber/embedded.json")
public class EmbeddedTargetTest {}
