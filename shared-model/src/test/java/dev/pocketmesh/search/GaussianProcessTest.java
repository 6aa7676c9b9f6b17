package dev.pocketmesh.search;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.SplittableRandom;
import org.ejml.data.DMatrixRMaj;
import org.ejml.dense.row.factory.DecompositionFactory_DDRM;
import org.junit.jupiter.api.Test;

class GaussianProcessTest {
    private static double[][] randomPoints(int n, int d, SplittableRandom random) {
        double[][] x = new double[n][d];
        for (double[] row : x) {
            for (int k = 0; k < d; k++) {
                row[k] = random.nextDouble();
            }
        }
        return x;
    }

    @Test
    void kernelIsSymmetricWithSignalVarianceOnTheDiagonal() {
        SplittableRandom random = new SplittableRandom(1);
        MaternKernel kernel = new MaternKernel(new double[] {0.2, 0.7, 3.0}, 1.7);
        double[][] x = randomPoints(30, 3, random);
        for (double[] a : x) {
            assertThat(kernel.value(a, a)).isCloseTo(1.7, within(1e-12));
            for (double[] b : x) {
                assertThat(kernel.value(a, b)).isEqualTo(kernel.value(b, a));
                assertThat(kernel.value(a, b)).isBetween(0.0, 1.7);
            }
        }
        // Decays with distance along a dimension.
        assertThat(kernel.value(new double[] {0, 0, 0}, new double[] {0.1, 0, 0}))
                .isGreaterThan(kernel.value(new double[] {0, 0, 0}, new double[] {0.3, 0, 0}));
    }

    @Test
    void kernelMatrixIsPositiveDefiniteOnRandomPoints() {
        SplittableRandom random = new SplittableRandom(2);
        MaternKernel kernel = new MaternKernel(new double[] {0.3, 0.5}, 1.0);
        double[][] x = randomPoints(60, 2, random);
        DMatrixRMaj k = GaussianProcess.covariance(x, kernel);
        // Cholesky without any jitter succeeds only on a (numerically) positive-definite matrix.
        assertThat(DecompositionFactory_DDRM.chol(60, true).decompose(k.copy())).isTrue();
        for (int trial = 0; trial < 20; trial++) {
            double[] v = new double[60];
            for (int i = 0; i < 60; i++) {
                v[i] = random.nextGaussian();
            }
            double q = 0;
            for (int i = 0; i < 60; i++) {
                for (int j = 0; j < 60; j++) {
                    q += v[i] * k.get(i, j) * v[j];
                }
            }
            assertThat(q).isPositive();
        }
    }

    @Test
    void marginalLikelihoodGradientMatchesFiniteDifferences() {
        SplittableRandom random = new SplittableRandom(3);
        int d = 3;
        double[][] x = randomPoints(25, d, random);
        double[] y = new double[x.length];
        for (int i = 0; i < x.length; i++) {
            y[i] = Math.sin(6 * x[i][0]) + x[i][1] * x[i][1] + 0.05 * random.nextGaussian();
        }
        double[] theta = {Math.log(0.3), Math.log(0.8), Math.log(2.0), Math.log(1.3), Math.log(0.01)};
        double[] gradient = new double[theta.length];
        GaussianProcess.logMarginalLikelihood(x, y, theta, gradient);
        double h = 1e-5;
        for (int k = 0; k < theta.length; k++) {
            double[] plus = theta.clone();
            double[] minus = theta.clone();
            plus[k] += h;
            minus[k] -= h;
            double numeric = (GaussianProcess.logMarginalLikelihood(x, y, plus, null)
                    - GaussianProcess.logMarginalLikelihood(x, y, minus, null)) / (2 * h);
            assertThat(gradient[k]).as("d lml / d theta[%d]", k)
                    .isCloseTo(numeric, within(1e-5 * Math.max(1, Math.abs(numeric))));
        }
    }

    @Test
    void posteriorInterpolatesDataAndReturnsToThePriorFarAway() {
        SplittableRandom random = new SplittableRandom(4);
        double[][] x = randomPoints(15, 2, random);
        double[] y = new double[x.length];
        for (int i = 0; i < x.length; i++) {
            y[i] = Math.cos(3 * x[i][0]) - x[i][1];
        }
        MaternKernel kernel = new MaternKernel(new double[] {0.4, 0.4}, 1.0);
        GaussianProcess gp = GaussianProcess.condition(x, y, kernel, 1e-6);
        double[] work = new double[x.length];
        double[] out = new double[2];
        for (int i = 0; i < x.length; i++) {
            gp.predict(x[i], work, out);
            assertThat(out[0]).isCloseTo(y[i], within(1e-3));
            assertThat(out[1]).isLessThan(1e-3);
        }
        gp.predict(new double[] {40, 40}, work, out);
        assertThat(out[0]).isCloseTo(0, within(1e-6));
        assertThat(out[1]).isCloseTo(1.0, within(1e-6));
    }

    @Test
    void lbfgsFindsTheMinimumOfABoundedQuadratic() {
        // Minimum of (a-3)^2 + 10 (b+1)^2 inside [0, 2] x [-5, 5] is at (2, -1).
        BoundedLbfgs.Objective f = (v, g) -> {
            g[0] = 2 * (v[0] - 3);
            g[1] = 20 * (v[1] + 1);
            return (v[0] - 3) * (v[0] - 3) + 10 * (v[1] + 1) * (v[1] + 1);
        };
        BoundedLbfgs.Result r = BoundedLbfgs.minimise(f, new double[] {0.5, 4}, new double[] {0, -5},
                new double[] {2, 5}, 50);
        assertThat(r.x()[0]).isCloseTo(2, within(1e-9));
        assertThat(r.x()[1]).isCloseTo(-1, within(1e-4));
    }

    @Test
    void expectedImprovementAndNormalFunctions() {
        assertThat(GpSampler.normalCdf(0)).isCloseTo(0.5, within(1e-7));
        assertThat(GpSampler.normalCdf(1.959963985)).isCloseTo(0.975, within(1e-6));
        assertThat(GpSampler.normalCdf(-3)).isCloseTo(0.0013498980, within(1e-7));
        // EI grows with the mean and with the uncertainty, and is never negative.
        assertThat(GpSampler.expectedImprovement(0.5, 1)).isGreaterThan(GpSampler.expectedImprovement(0, 1));
        assertThat(GpSampler.expectedImprovement(0, 2)).isGreaterThan(GpSampler.expectedImprovement(0, 1));
        assertThat(GpSampler.expectedImprovement(-40, 1)).isGreaterThanOrEqualTo(0);
        assertThat(GpSampler.expectedImprovement(0, 1)).isCloseTo(1 / Math.sqrt(2 * Math.PI), within(1e-7));
    }
}
