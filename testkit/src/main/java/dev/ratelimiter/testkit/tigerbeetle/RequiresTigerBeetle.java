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

/**
 * Marks a test class that needs a real TigerBeetle: when {@link TigerBeetleServer} has no way to
 * start one, the whole class is skipped with the one line {@link TigerBeetleBinary#SKIP_MESSAGE}.
 */
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
@ExtendWith(RequiresTigerBeetle.Condition.class)
public @interface RequiresTigerBeetle {

    /** Decides once per class, before anything of it runs. */
    final class Condition implements ExecutionCondition {
        @Override
        public ConditionEvaluationResult evaluateExecutionCondition(ExtensionContext context) {
            return TigerBeetleServer.canStart()
                    ? ConditionEvaluationResult.enabled("a TigerBeetle can be started")
                    : ConditionEvaluationResult.disabled(TigerBeetleBinary.SKIP_MESSAGE);
        }
    }
}
