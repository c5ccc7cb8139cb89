package dev.ratelimiter.testkit.process;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ratelimiter.testkit.process.JvmInspector.Histogram;
import java.io.IOException;
import org.junit.jupiter.api.Test;

/** The class histogram as jcmd prints it, and of a real JVM. */
class JvmInspectorTest {

    @Test
    void readsInstancesPerClassAndTheTotal() throws IOException {
        String output = "12345:\n"
                + " num     #instances         #bytes  class name (module)\n"
                + "-------------------------------------------------------\n"
                + "   1:         20416        1523440  [B (java.base@17.0.15)\n"
                + "   2:            37           1184  dev.ratelimiter.core.memory.Lease\n"
                + "Total         70366        3308888\n";

        Histogram histogram = JvmInspector.parse(output);

        assertEquals(37, histogram.instancesOf("dev.ratelimiter.core.memory.Lease"));
        assertEquals(20416, histogram.instancesOf("[B"));
        assertEquals(0, histogram.instancesOf("java.lang.Thread"));
        assertEquals(3308888, histogram.totalBytes());
    }

    @Test
    void outputWithoutATotalIsAnError() {
        assertThrows(
                IOException.class,
                () -> JvmInspector.parse("12345:\ncom.sun.tools.attach.AttachNotSupportedException"));
    }

    @Test
    void inspectsALiveJvm() throws Exception {
        Histogram histogram = JvmInspector.histogram(ProcessHandle.current().pid());

        assertTrue(histogram.instancesOf("java.lang.String") > 0);
        assertTrue(histogram.totalBytes() > 0);
    }
}
