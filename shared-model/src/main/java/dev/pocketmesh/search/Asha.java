package dev.pocketmesh.search;

import dev.pocketmesh.spec.JobSpec;

/**
 * The decision rule of ASHA (Li et al., "A System for Massively Parallel Hyperparameter Tuning", 2020), in its
 * stopping form: a trial is judged only at its rungs, after {@code minEpochs · factor^k} epochs (never at its last
 * epoch: by then stopping saves nothing), against every trial that has reached the same rung so far. It goes on
 * when it is among the best {@code ⌊n / factor⌋} of those {@code n} (at least the best one), and while a rung holds
 * no more than {@code graceTrials} trials everyone goes on, since there is nothing yet to compare with. Asynchronous:
 * nobody waits for a rung to fill, which keeps every worker busy.
 */
public record Asha(int minEpochs, int factor, int graceTrials) {
    public Asha {
        if (minEpochs < 1 || factor < 2 || graceTrials < 1) {
            throw new IllegalArgumentException("ASHA needs minEpochs >= 1, factor >= 2 and graceTrials >= 1 (got "
                    + minEpochs + ", " + factor + ", " + graceTrials + ")");
        }
    }

    public static Asha of(JobSpec.EarlyStopping earlyStopping) {
        return new Asha(earlyStopping.minEpochs(), earlyStopping.reductionFactor(), earlyStopping.graceTrials());
    }

    /** Whether {@code epoch} (1-based) of a trial training {@code totalEpochs} is one of its rungs. */
    public boolean isRung(int epoch, int totalEpochs) {
        if (epoch >= totalEpochs) {
            return false;
        }
        for (long rung = minEpochs; rung <= epoch; rung *= factor) {
            if (rung == epoch) {
                return true;
            }
        }
        return false;
    }

    /**
     * Whether a trial goes on past a rung where {@code reached} trials (itself included) have reported, of which
     * {@code better} reported a strictly higher value than it did (ties favour the trial).
     */
    public boolean continues(long reached, long better) {
        if (reached <= graceTrials) {
            return true;
        }
        return better < Math.max(1, reached / factor);
    }
}
