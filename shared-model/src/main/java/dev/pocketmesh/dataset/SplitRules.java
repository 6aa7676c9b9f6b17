package dev.pocketmesh.dataset;

/**
 * How many examples each split of a dataset gets. The probe (which reports the training-set size at intake) and
 * model-core's loader (which makes the splits) both follow these rules, so the two always agree.
 * <ul>
 * <li>idx, cifar10: validation is 1/12 of the train files, at most {@value #MAX_VALIDATION} (Fashion-MNIST:
 * 55,000 / 5,000); the test files are the test split.</li>
 * <li>image-folder: 10% of {@code train/} is validation; {@code test/} is the test split, or else another 10% of
 * {@code train/}.</li>
 * <li>synthetic: {@code limit} (default {@value #SYNTHETIC_TRAIN}) training examples, and 1/8 of that, at least 100,
 * for validation and for test (80/10/10 by default).</li>
 * <li>{@code limit}: at most {@code limit} training examples, and at most max(100, limit / 5) for validation and for
 * test each.</li>
 * </ul>
 */
public final class SplitRules {
    public static final int MAX_VALIDATION = 5000;
    public static final int SYNTHETIC_TRAIN = 3000;
    /** Validation and test keep at least this many examples under a limit, so accuracy is not just noise. */
    public static final int MIN_EVALUATION = 100;

    private SplitRules() {
    }

    /** Examples of a train file (idx, cifar10) held out for validation: 1/12, at most 5000, at least 1 of 2+. */
    public static int heldOutValidation(int trainFileExamples) {
        if (trainFileExamples < 2) {
            return 0;
        }
        return Math.min(MAX_VALIDATION, Math.max(1, trainFileExamples / 12));
    }

    /**
     * A 10% share of an image folder's train pool (validation, or test when there is no test folder); at least 1 of
     * 3+, so even a tiny pool keeps a training example after both shares.
     */
    public static int tenPercent(int poolExamples) {
        if (poolExamples < 3) {
            return 0;
        }
        return Math.max(1, poolExamples / 10);
    }

    /** Training examples of the synthetic set: the limit, or {@value #SYNTHETIC_TRAIN}. */
    public static int syntheticTrain(Integer limit) {
        return limit == null ? SYNTHETIC_TRAIN : limit;
    }

    /** Validation (and test) examples of the synthetic set. */
    public static int syntheticEvaluation(Integer limit) {
        return Math.max(MIN_EVALUATION, syntheticTrain(limit) / 8);
    }

    /** The most training examples a limit allows. */
    public static int trainCap(Integer limit) {
        return limit == null ? Integer.MAX_VALUE : limit;
    }

    /** The most validation (and test) examples a limit allows: max(100, limit / 5). */
    public static int evaluationCap(Integer limit) {
        return limit == null ? Integer.MAX_VALUE : Math.max(MIN_EVALUATION, limit / 5);
    }
}
