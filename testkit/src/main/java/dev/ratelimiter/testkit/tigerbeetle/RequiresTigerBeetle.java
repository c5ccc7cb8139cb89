package dev.ratelimiter.testkit.tigerbeetle;

import dev.ratelimiter.testkit.process.TigerBeetleBinary;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.extension.ConditionEvaluationResult;
import org.junit.jupiter.api.extension.ExecutionCondition;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.platform.commons.support.AnnotationSupport;

/**
 * Marks a test class that needs a real TigerBeetle: when there is no way to start one, the whole
 * class is skipped with the one line {@link TigerBeetleBinary#SKIP_MESSAGE}; a {@code TB_BIN} that
 * names no executable fails instead.
 *
 * <p>By default any way {@link TigerBeetleServer} knows will do (the binary, or the image when
 * Docker answers). Suites that send replicas signals (kill, freeze, restart) set
 * {@link #localBinary()}: only a binary on this machine will do, and
 * {@code TigerBeetleBinary.find().orElseThrow()} is it inside the class.
 */
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
@ExtendWith(RequiresTigerBeetle.Condition.class)
public @interface RequiresTigerBeetle {

    /** Whether the class needs the binary itself, not a container. */
    boolean localBinary() default false;

    /** Decides once per class, before anything of it runs. */
    final class Condition implements ExecutionCondition {
        @Override
        public ConditionEvaluationResult evaluateExecutionCondition(ExtensionContext context) {
            boolean localBinary = AnnotationSupport.findAnnotation(
                            context.getRequiredTestClass(), RequiresTigerBeetle.class)
                    .map(RequiresTigerBeetle::localBinary)
                    .orElse(false);
            boolean available = localBinary ? TigerBeetleBinary.find().isPresent() : TigerBeetleServer.canStart();
            if (available) {
                return ConditionEvaluationResult.enabled("a TigerBeetle can be started");
            }
            TigerBeetleBinary.announceSkip();
            return ConditionEvaluationResult.disabled(TigerBeetleBinary.SKIP_MESSAGE);
        }
    }
}
