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
 * Marks a test class that needs a local TigerBeetle binary, not merely a TigerBeetle: suites that
 * send replicas signals (kill, freeze, restart) cannot use a container. Without a binary the whole
 * class is skipped with the one line {@link TigerBeetleBinary#SKIP_MESSAGE}; a {@code TB_BIN} that
 * names no executable fails instead. Inside the class, {@code TigerBeetleBinary.find().orElseThrow()}
 * is the binary.
 */
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
@ExtendWith(RequiresTigerBeetleBinary.Condition.class)
public @interface RequiresTigerBeetleBinary {

    /** Decides once per class, before anything of it runs. */
    final class Condition implements ExecutionCondition {
        @Override
        public ConditionEvaluationResult evaluateExecutionCondition(ExtensionContext context) {
            if (TigerBeetleBinary.find().isPresent()) {
                return ConditionEvaluationResult.enabled("a TigerBeetle binary exists");
            }
            TigerBeetleBinary.announceSkip();
            return ConditionEvaluationResult.disabled(TigerBeetleBinary.SKIP_MESSAGE);
        }
    }
}
