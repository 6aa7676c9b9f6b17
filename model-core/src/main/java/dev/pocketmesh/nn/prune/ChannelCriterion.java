package dev.pocketmesh.nn.prune;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * How {@link WeightPruner} chooses the output channels a pruning unit keeps, by the names job specs use.
 * <ul>
 *   <li>{@code l1-norm}, {@code l2-norm}: the L1 / L2 norm of each channel's filter;</li>
 *   <li>{@code bn-scale}: |gamma| of the BatchNorm right after the conv (network slimming, Liu et al. 2017);</li>
 *   <li>{@code reconstruction}: LASSO channel selection and least-squares refit of the consumer's weights on
 *       sampled activations (He et al., ICCV 2017).</li>
 * </ul>
 * For a coupled unit (several convs writing one residual stream) the members' scores are summed per channel.
 */
public enum ChannelCriterion {
    L1_NORM("l1-norm"),
    L2_NORM("l2-norm"),
    BN_SCALE("bn-scale"),
    RECONSTRUCTION("reconstruction");

    private final String id;

    ChannelCriterion(String id) {
        this.id = id;
    }

    /** The name in job specs, e.g. {@code l1-norm}. */
    public String id() {
        return id;
    }

    /** Every name {@link #fromName} accepts. */
    public static List<String> names() {
        return Arrays.stream(values()).map(ChannelCriterion::id).toList();
    }

    /**
     * The criterion with that name (case and surrounding blanks ignored).
     *
     * @throws IllegalArgumentException for an unknown or missing name, listing the known ones
     */
    public static ChannelCriterion fromName(String name) {
        String key = name == null ? "" : name.trim().toLowerCase(Locale.ROOT);
        for (ChannelCriterion c : values()) {
            if (c.id.equals(key)) {
                return c;
            }
        }
        throw new IllegalArgumentException("criterion: unknown channel criterion '" + name + "'; one of " + names());
    }

    @Override
    public String toString() {
        return id;
    }
}
