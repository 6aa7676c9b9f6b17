package dev.pocketmesh.search;

import org.ejml.data.DMatrixRMaj;
import org.ejml.dense.row.decomposition.TriangularSolver_DDRM;
import org.ejml.dense.row.factory.DecompositionFactory_DDRM;
import org.ejml.dense.row.factory.LinearSolverFactory_DDRM;
import org.ejml.interfaces.decomposition.CholeskyDecomposition_F64;
import org.ejml.interfaces.linsol.LinearSolverDense;

/**
 * Zero-mean Gaussian-process regression with a {@link MaternKernel} and Gaussian noise, on standardised targets.
 * Hyper-parameters are laid out in log space as {@code [log l_1 .. log l_D, log s2, log noise]}.
 */
final class GaussianProcess {
    /** Added to the diagonal on top of the noise; raised step by step if the Cholesky factorisation fails. */
    static final double BASE_JITTER = 1e-9;
    private static final double LOG_2PI = Math.log(2 * Math.PI);

    private final MaternKernel kernel;
    private final double[][] x;
    private final double[] alpha;
    /** Lower Cholesky factor of K + (noise + jitter) I, row-major n x n. */
    private final double[] lower;
    private final int n;

    private GaussianProcess(MaternKernel kernel, double[][] x, double[] alpha, double[] lower) {
        this.kernel = kernel;
        this.x = x;
        this.alpha = alpha;
        this.lower = lower;
        this.n = x.length;
    }

    /** Conditions the process on (x, y); throws if the covariance cannot be factorised even with jitter. */
    static GaussianProcess condition(double[][] x, double[] y, MaternKernel kernel, double noise) {
        int n = x.length;
        DMatrixRMaj cov = covariance(x, kernel);
        double jitter = BASE_JITTER;
        for (int attempt = 0; attempt < 8; attempt++, jitter *= 10) {
            DMatrixRMaj a = cov.copy();
            for (int i = 0; i < n; i++) {
                a.add(i, i, noise + jitter);
            }
            CholeskyDecomposition_F64<DMatrixRMaj> chol = DecompositionFactory_DDRM.chol(n, true);
            if (!chol.decompose(a)) {
                continue;
            }
            DMatrixRMaj l = chol.getT(null);
            double[] alpha = y.clone();
            TriangularSolver_DDRM.solveL(l.data, alpha, n);
            TriangularSolver_DDRM.solveTranL(l.data, alpha, n);
            return new GaussianProcess(kernel, x, alpha, l.data);
        }
        throw new IllegalStateException("covariance matrix is not positive definite even with jitter");
    }

    /** Noise-free kernel matrix (the signal part only). */
    static DMatrixRMaj covariance(double[][] x, MaternKernel kernel) {
        int n = x.length;
        DMatrixRMaj k = new DMatrixRMaj(n, n);
        for (int i = 0; i < n; i++) {
            k.unsafe_set(i, i, kernel.signalVariance());
            for (int j = 0; j < i; j++) {
                double v = kernel.value(x[i], x[j]);
                k.unsafe_set(i, j, v);
                k.unsafe_set(j, i, v);
            }
        }
        return k;
    }

    /**
     * Posterior mean and variance of the latent function at a point, written to {@code out[0]}, {@code out[1]};
     * {@code work} is scratch space of length n.
     */
    void predict(double[] point, double[] work, double[] out) {
        double mean = 0;
        for (int i = 0; i < n; i++) {
            work[i] = kernel.value(point, x[i]);
            mean += work[i] * alpha[i];
        }
        TriangularSolver_DDRM.solveL(lower, work, n);
        double explained = 0;
        for (int i = 0; i < n; i++) {
            explained += work[i] * work[i];
        }
        out[0] = mean;
        out[1] = Math.max(kernel.signalVariance() - explained, 1e-12);
    }

    int size() {
        return n;
    }

    /**
     * Log marginal likelihood {@code log p(y | x, theta)} and, when {@code gradient} is not null, its gradient
     * with respect to the log hyper-parameters. Returns negative infinity when the covariance is not positive
     * definite at theta. For repeated calls on the same data use {@link Likelihood}, which keeps the pairwise
     * differences.
     */
    static double logMarginalLikelihood(double[][] x, double[] y, double[] theta, double[] gradient) {
        return new Likelihood(x, y).value(theta, gradient);
    }

    /**
     * The log marginal likelihood of fixed data as a function of the log hyper-parameters.
     *
     * <p>With {@code W = alpha alpha^T - K^-1}, the derivative along a hyper-parameter is
     * {@code 0.5 sum_ij W_ij dK_ij}; for log l_k, {@code dK_ij = g(r_ij) (x_ik - x_jk)^2 / l_k^2} with
     * {@code g} from {@link MaternKernel#lengthScaleGradientFactor}; for log s2, {@code dK = K_signal}; for log
     * noise, {@code dK = noise I}.
     */
    static final class Likelihood {
        private final int n;
        private final int d;
        private final double[] y;
        /** Squared differences per dimension for each pair i > j, laid out [pair * d + k]. */
        private final double[] squares;

        Likelihood(double[][] x, double[] y) {
            this.n = x.length;
            this.d = x[0].length;
            this.y = y;
            this.squares = new double[n * (n - 1) / 2 * d];
            int p = 0;
            for (int i = 0; i < n; i++) {
                for (int j = 0; j < i; j++) {
                    for (int k = 0; k < d; k++) {
                        double diff = x[i][k] - x[j][k];
                        squares[p++] = diff * diff;
                    }
                }
            }
        }

        double value(double[] theta, double[] gradient) {
            double[] inverseSquared = new double[d];
            for (int k = 0; k < d; k++) {
                inverseSquared[k] = Math.exp(-2 * theta[k]);
            }
            double s2 = Math.exp(theta[d]);
            double noise = Math.exp(theta[d + 1]);
            MaternKernel kernel = MaternKernel.fromLog(theta, d);
            int pairs = n * (n - 1) / 2;
            double[] distance = new double[pairs];
            DMatrixRMaj a = new DMatrixRMaj(n, n);
            int p = 0;
            for (int i = 0; i < n; i++) {
                a.unsafe_set(i, i, s2 + noise + BASE_JITTER);
                for (int j = 0; j < i; j++, p++) {
                    double r2 = 0;
                    int base = p * d;
                    for (int k = 0; k < d; k++) {
                        r2 += squares[base + k] * inverseSquared[k];
                    }
                    double r = Math.sqrt(r2);
                    distance[p] = r;
                    double v = kernel.ofDistance(r);
                    a.unsafe_set(i, j, v);
                    a.unsafe_set(j, i, v);
                }
            }
            LinearSolverDense<DMatrixRMaj> solver = LinearSolverFactory_DDRM.chol(n);
            // The signal part is needed again for the gradient, so keep a when the solver would overwrite it.
            if (!solver.setA(solver.modifiesA() && gradient != null ? a.copy() : a)) {
                return Double.NEGATIVE_INFINITY;
            }
            @SuppressWarnings("unchecked")
            CholeskyDecomposition_F64<DMatrixRMaj> chol =
                    (CholeskyDecomposition_F64<DMatrixRMaj>) solver.getDecomposition();
            DMatrixRMaj t = chol.getT(null);
            double halfLogDet = 0;
            for (int i = 0; i < n; i++) {
                double diag = t.unsafe_get(i, i);
                if (!(diag > 0) || Double.isNaN(diag)) {
                    return Double.NEGATIVE_INFINITY;
                }
                halfLogDet += Math.log(diag);
            }
            double[] alpha = y.clone();
            TriangularSolver_DDRM.solveL(t.data, alpha, n);
            TriangularSolver_DDRM.solveTranL(t.data, alpha, n);
            double fit = 0;
            for (int i = 0; i < n; i++) {
                fit += y[i] * alpha[i];
            }
            double lml = -0.5 * fit - halfLogDet - 0.5 * n * LOG_2PI;
            if (gradient == null) {
                return lml;
            }
            DMatrixRMaj inverse = new DMatrixRMaj(n, n);
            solver.invert(inverse);
            java.util.Arrays.fill(gradient, 0, d + 2, 0);
            double traceW = 0;
            double signalTerm = 0;
            p = 0;
            for (int i = 0; i < n; i++) {
                double wii = alpha[i] * alpha[i] - inverse.unsafe_get(i, i);
                traceW += wii;
                signalTerm += 0.5 * wii * s2;
                for (int j = 0; j < i; j++, p++) {
                    // W is symmetric: the (i, j) and (j, i) halves together give the full 0.5 * 2 = 1 weight.
                    double wij = alpha[i] * alpha[j] - inverse.unsafe_get(i, j);
                    signalTerm += wij * a.unsafe_get(i, j);
                    double g = wij * kernel.lengthScaleGradientFactor(distance[p]);
                    int base = p * d;
                    for (int k = 0; k < d; k++) {
                        gradient[k] += g * squares[base + k];
                    }
                }
            }
            for (int k = 0; k < d; k++) {
                gradient[k] *= inverseSquared[k];
            }
            gradient[d] = signalTerm;
            gradient[d + 1] = 0.5 * noise * traceW;
            return lml;
        }
    }
}
