package dev.pocketmesh.nn.compress;

/**
 * Gradual magnitude pruning's sparsity over training (Zhu &amp; Gupta 2017): from {@code initial} at step
 * {@code begin} to {@code target} at step {@code end}, {@code s(t) = target + (initial - target) * (1 - (t - begin) /
 * (end - begin))^exponent}, the masks recomputed every {@code interval} steps. Pruning fast while many redundant
 * weights remain and slowly near the target gives the network time to recover.
 */
public record GradualSchedule(double initial, double target, int begin, int end, int interval, double exponent) {
    public GradualSchedule {
        if (!(target >= 0 && target < 1) || !(initial >= 0 && initial <= target)) {
            throw new IllegalArgumentException("sparsities must satisfy 0 <= initial <= target < 1, got " + initial
                    + " and " + target);
        }
        if (begin < 0 || end < begin || interval < 1) {
            throw new IllegalArgumentException("need 0 <= begin <= end and interval >= 1, got " + begin + ", " + end
                    + ", " + interval);
        }
    }

    public double sparsityAt(int step) {
        if (step <= begin) {
            return step == begin && end == begin ? target : initial;
        }
        if (step >= end) {
            return target;
        }
        double progress = (double) (step - begin) / (end - begin);
        return target + (initial - target) * Math.pow(1 - progress, exponent);
    }

    /** Whether the masks are recomputed before step {@code step} (every interval from begin, and at end). */
    public boolean updatesAt(int step) {
        return step >= begin && step <= end && ((step - begin) % interval == 0 || step == end);
    }
}
