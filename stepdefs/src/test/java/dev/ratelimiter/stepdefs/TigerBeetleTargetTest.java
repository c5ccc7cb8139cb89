package dev.ratelimiter.stepdefs;

import static io.cucumber.junit.platform.engine.Constants.GLUE_PROPERTY_NAME;
import static io.cucumber.junit.platform.engine.Constants.PLUGIN_PROPERTY_NAME;

import org.junit.platform.suite.api.ConfigurationParameter;
import org.junit.platform.suite.api.IncludeEngines;
import org.junit.platform.suite.api.SelectPackages;
import org.junit.platform.suite.api.Suite;

/**
 * Every scenario against the packaged server jar on the TigerBeetle backend, with a replica the
 * harness starts from {@code TB_BIN} (or {@code tigerbeetle} on the PATH); skipped with one line
 * when there is no TigerBeetle binary.
 */
@Suite
@IncludeEngines("cucumber")
@SelectPackages("dev.ratelimiter.features")
@ConfigurationParameter(
        key = GLUE_PROPERTY_NAME,
        value = "dev.ratelimiter.stepdefs.steps,dev.ratelimiter.stepdefs.hooks.tigerbeetle")
@ConfigurationParameter(
        key = PLUGIN_PROPERTY_NAME,
        value = "html:target/cucumber/tigerbeetle.html,json:target/cucumber/tigerbeetle.json")
public class TigerBeetleTargetTest {}
