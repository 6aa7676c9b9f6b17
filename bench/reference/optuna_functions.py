"""Reference run for `pocketmesh bench hpo-functions`: Optuna's samplers on the same functions, budgets and
number of seeds, reporting the same statistic (median and quartiles of best-found regret over seeds).

    pip install optuna   # (an offline wheel works: pip install --no-index --find-links DIR optuna)
    python3 bench/reference/optuna_functions.py --seeds 10 --budgets 50,100 > bench/results/optuna-functions.md
"""
import argparse
import math
import statistics

import optuna

BRANIN_MIN = 0.39788735772973816
HARTMANN_MIN = -3.322368011415515
ALPHA = [1.0, 1.2, 3.0, 3.2]
A = [[10, 3, 17, 3.5, 1.7, 8], [0.05, 10, 17, 0.1, 8, 14], [3, 3.5, 1.7, 10, 17, 8], [17, 8, 0.05, 10, 0.1, 14]]
P = [[0.1312, 0.1696, 0.5569, 0.0124, 0.8283, 0.5886], [0.2329, 0.4135, 0.8307, 0.3736, 0.1004, 0.9991],
     [0.2348, 0.1451, 0.3522, 0.2883, 0.3047, 0.6650], [0.4047, 0.8828, 0.8732, 0.5743, 0.1091, 0.0381]]


def branin(x):
    b, c, t = 5.1 / (4 * math.pi ** 2), 5 / math.pi, 1 / (8 * math.pi)
    return (x[1] - b * x[0] ** 2 + c * x[0] - 6) ** 2 + 10 * (1 - t) * math.cos(x[0]) + 10


def hartmann6(x):
    return -sum(ALPHA[i] * math.exp(-sum(A[i][j] * (x[j] - P[i][j]) ** 2 for j in range(6))) for i in range(4))


def rosenbrock4(x):
    return sum(100 * (x[i + 1] - x[i] ** 2) ** 2 + (1 - x[i]) ** 2 for i in range(3))


FUNCTIONS = {
    "branin": (branin, [(-5, 10), (0, 15)], BRANIN_MIN),
    "hartmann6": (hartmann6, [(0, 1)] * 6, HARTMANN_MIN),
    "rosenbrock4": (rosenbrock4, [(-5, 10)] * 4, 0.0),
}

SAMPLERS = {
    "optuna-random": lambda seed: optuna.samplers.RandomSampler(seed=seed),
    "optuna-qmc-sobol": lambda seed: optuna.samplers.QMCSampler(qmc_type="sobol", scramble=True, seed=seed),
    "optuna-tpe": lambda seed: optuna.samplers.TPESampler(seed=seed),
    "optuna-tpe-multivariate": lambda seed: optuna.samplers.TPESampler(seed=seed, multivariate=True),
}


def regrets(name, sampler_name, budgets, seeds):
    f, bounds, minimum = FUNCTIONS[name]
    out = {b: [] for b in budgets}
    for seed in range(1, seeds + 1):
        study = optuna.create_study(direction="minimize", sampler=SAMPLERS[sampler_name](seed))
        study.optimize(lambda trial: f([trial.suggest_float("x%d" % i, lo, hi) for i, (lo, hi) in enumerate(bounds)]),
                       n_trials=max(budgets))
        values = [t.value for t in study.trials]
        for b in budgets:
            out[b].append(min(values[:b]) - minimum)
    return out


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--seeds", type=int, default=10)
    parser.add_argument("--budgets", default="50,100")
    parser.add_argument("--samplers", default=",".join(SAMPLERS))
    args = parser.parse_args()
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    budgets = [int(b) for b in args.budgets.split(",")]
    print("Optuna %s, best-found regret, median and quartiles over %d seeds.\n" % (optuna.__version__, args.seeds))
    print("| function | optimizer | trials | median regret | quartiles |\n|---|---|---:|---:|---:|")
    for name in FUNCTIONS:
        for sampler_name in args.samplers.split(","):
            result = regrets(name, sampler_name, budgets, args.seeds)
            for b in budgets:
                q = statistics.quantiles(result[b], n=4, method="inclusive")
                print("| %s | %s | %d | %.4g | %.4g – %.4g |" % (name, sampler_name, b, statistics.median(result[b]),
                                                                 q[0], q[2]), flush=True)


if __name__ == "__main__":
    main()
