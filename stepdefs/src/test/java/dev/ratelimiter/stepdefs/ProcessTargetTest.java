package dev.ratelimiter.stepdefs;

import static io.cucumber.junit.platform.engine.Constants.GLUE_PROPERTY_NAME;
import static io.cucumber.junit.platform.engine.Constants.PLUGIN_PROPERTY_NAME;

import org.junit.platform.suite.api.ConfigurationParameter;
import org.junit.platform.suite.api.IncludeEngines;
import org.junit.platform.suite.api.SelectPackages;
import org.junit.platform.suite.api.Suite;

/**
 * Every scenario against the packaged server jar, started with {@code java -jar} as a separate
 * process on the memory backend: what a user runs passes the whole contract.
 */
@Suite
@IncludeEngines("cucumber")
@SelectPackages("dev.ratelimiter.features")
@ConfigurationParameter(
        key = GLUE_PROPERTY_NAME,
        value = "dev.ratelimiter.stepdefs.steps,dev.ratelimiter.stepdefs.hooks.process")
@ConfigurationParameter(
        key = PLUGIN_PROPERTY_NAME,
        value = "html:target/cucumber/process.html,json:target/cucumber/process.json")
public class ProcessTargetTest {}
