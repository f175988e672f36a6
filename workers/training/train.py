"""One model trained and judged: a time-based split of its rows (the last `testDays` days held out),
LightGBM on the rest, figures on the held-out days (overall and per segment), the model exported to
ONNX with probe rows whose predictions the TypeScript side checks its runtime reproduces."""
from __future__ import annotations

import base64
import hashlib
import json
import math
from datetime import date, timedelta
from typing import Any, Literal, NotRequired, TypedDict

import numpy as np

from warehouse.target import Target

from .data import Population

Kind = Literal['classification', 'regression']


class TrainParams(TypedDict):
    trees: int
    leaves: int
    learningRate: float
    minChildSamples: int


class TrainRequest(TypedDict):
    model: str
    kind: Kind
    population: Population
    label: str
    features: list[str]
    target: Target
    table: str
    testDays: int
    threshold: float
    minRows: int
    params: TrainParams
    seed: int
    probes: int
    maxModelBytes: int
    # The number of calibration bins (classification).
    calibrationBins: NotRequired[int]
    # The champion's featureStats and version: this run's rows are measured against them (drift).
    baseline: NotRequired[dict[str, Any]]
    baselineVersion: NotRequired[int]
    # A feature's PSI at or above this is flagged (WAYMARK_TRAINING_DRIFT_THRESHOLD).
    driftThreshold: float


class TrainingRefused(Exception):
    """The rows cannot make a model (too few, one class only, a model past its size cap): a retry cannot fix it."""


def train(request: TrainRequest, rows: list[dict[str, Any]]) -> dict[str, Any]:
    features, label, kind = request['features'], request['label'], request['kind']
    name = f"the {request['model']} model"
    if not rows:
        raise TrainingRefused(f"{name}: {request['table']} has no rows for population {request['population']} (has a batch been published?)")
    last = date.fromisoformat(max(r['feature_date'] for r in rows)[:10])
    test_from = (last - timedelta(days=request['testDays'] - 1)).isoformat()
    train_rows = [r for r in rows if r['feature_date'][:10] < test_from]
    test_rows = [r for r in rows if r['feature_date'][:10] >= test_from]
    for part, chosen in (('training', train_rows), ('held-out', test_rows)):
        if len(chosen) < request['minRows']:
            raise TrainingRefused(f"{name}: {len(chosen)} {part} rows, fewer than the {request['minRows']} needed (WAYMARK_TRAINING_MIN_ROWS)")
        if kind == 'classification' and len({bool(r[label]) for r in chosen}) < 2:
            raise TrainingRefused(f"{name}: the {part} rows all have {label} = {bool(chosen[0][label])}: nothing to learn or judge")

    x_train, y_train = _matrix(train_rows, features), _labels(train_rows, label, kind)
    x_test, y_test = _matrix(test_rows, features), _labels(test_rows, label, kind)
    estimator = _estimator(kind, request['params'], request['seed'])
    estimator.fit(x_train, y_train)
    predicted = _predict(estimator, kind, x_test)
    onnx_bytes = _onnx(estimator, len(features))
    if len(onnx_bytes) > request['maxModelBytes']:
        raise TrainingRefused(f"{name}: the ONNX model is {len(onnx_bytes)} bytes, over WAYMARK_TRAINING_MAX_MODEL_BYTES ({request['maxModelBytes']}): use fewer trees or leaves")

    probe_rows = _probe_rows(x_test, request['probes'])
    import lightgbm
    import onnxmltools
    return {
        'model': request['model'],
        'kind': kind,
        'features': features,
        'library': f'lightgbm {lightgbm.__version__}, onnxmltools {onnxmltools.__version__}',
        'params': request['params'],
        'onnx': base64.b64encode(onnx_bytes).decode('ascii'),
        'trainingWindow': {'from': train_rows[0]['feature_date'][:10], 'to': train_rows[-1]['feature_date'][:10]},
        'testWindow': {'from': test_from, 'to': last.isoformat()},
        'rows': {'training': len(train_rows), 'heldOut': len(test_rows)},
        'dataHash': _data_hash(rows, features, label),
        'metrics': {**_metrics(kind, y_test, predicted, request['threshold'], request.get('calibrationBins', 10)),
                    'baseline': _baseline(request['model'], kind, test_rows, y_test)},
        'segments': _segments(kind, test_rows, y_test, predicted, request['threshold']),
        'featureStats': _feature_stats(x_train, features),
        **({'drift': {'against': request['baselineVersion'], 'threshold': request['driftThreshold'],
                      'features': _drift(x_train, features, request['baseline'], request['driftThreshold'])}}
           if request.get('baseline') else {}),
        'probes': [{'features': [None if math.isnan(v) else float(v) for v in x_test[i]], 'expected': float(_predict(estimator, kind, x_test[i:i + 1])[0])}
                   for i in probe_rows],
    }


def _matrix(rows: list[dict[str, Any]], features: list[str]) -> np.ndarray:
    return np.array([[np.nan if r[f] is None else float(r[f]) for f in features] for r in rows], dtype=np.float32)


def _labels(rows: list[dict[str, Any]], label: str, kind: Kind) -> np.ndarray:
    return np.array([int(bool(r[label])) if kind == 'classification' else float(r[label] or 0) for r in rows])


def _estimator(kind: Kind, params: TrainParams, seed: int) -> Any:
    import lightgbm
    common = dict(n_estimators=params['trees'], num_leaves=params['leaves'], learning_rate=params['learningRate'],
                  min_child_samples=params['minChildSamples'], random_state=seed, deterministic=True, force_row_wise=True,
                  n_jobs=1, verbose=-1)
    return lightgbm.LGBMClassifier(**common) if kind == 'classification' else lightgbm.LGBMRegressor(**common)


def _predict(estimator: Any, kind: Kind, x: np.ndarray) -> np.ndarray:
    return estimator.predict_proba(x)[:, 1] if kind == 'classification' else estimator.predict(x)


def _onnx(estimator: Any, width: int) -> bytes:
    from onnxmltools import convert_lightgbm
    from onnxmltools.convert.common.data_types import FloatTensorType
    # zipmap off: probabilities as a plain tensor (onnxruntime-node reads no sequences of maps).
    options = {'zipmap': False} if hasattr(estimator, 'predict_proba') else {}
    model = convert_lightgbm(estimator, initial_types=[('features', FloatTensorType([None, width]))], target_opset=15, **options)
    return model.SerializeToString()


# What each model must beat on the same held-out rows: one feature, the one its rule stand-in
# ranks by (src/scoring/rules.ts), with no learning at all.
_BASELINES = {
    'churn': ('days since last active alone (never seen: highest)', 'days_since_active'),
    'lead': ('events in the last 30 days alone', 'events_30d'),
    'value': ("last 30 days' revenue as the next 30 days'", 'revenue_30d'),
}


def _baseline(model: str, kind: Kind, rows: list[dict[str, Any]], y: np.ndarray) -> dict[str, Any]:
    from sklearn import metrics
    name, feature = _BASELINES[model]
    missing = math.inf if feature == 'days_since_active' else 0.0
    guess = np.array([missing if r[feature] is None else float(r[feature]) for r in rows])
    if kind == 'regression':
        return {'name': name, 'r2': float(metrics.r2_score(y, guess))}
    return {'name': name, 'auc': float(metrics.roc_auc_score(y, np.where(np.isinf(guess), np.finfo(float).max, guess)))}


def _metrics(kind: Kind, y: np.ndarray, predicted: np.ndarray, threshold: float, bins: int) -> dict[str, Any]:
    from sklearn import metrics
    if kind == 'regression':
        return {'mae': float(metrics.mean_absolute_error(y, predicted)), 'rmse': float(math.sqrt(metrics.mean_squared_error(y, predicted))),
                'r2': float(metrics.r2_score(y, predicted)), 'meanActual': float(np.mean(y)), 'meanPredicted': float(np.mean(predicted))}
    chosen = predicted >= threshold
    edges = np.linspace(0, 1, bins + 1)
    calibration = []
    for lo, hi in zip(edges[:-1], edges[1:]):
        inside = (predicted >= lo) & ((predicted < hi) if hi < 1 else (predicted <= hi))
        if inside.any():
            calibration.append({'from': float(lo), 'to': float(hi), 'rows': int(inside.sum()),
                                'predicted': float(predicted[inside].mean()), 'observed': float(y[inside].mean())})
    return {
        'auc': float(metrics.roc_auc_score(y, predicted)),
        'threshold': threshold,
        'precision': float(metrics.precision_score(y, chosen, zero_division=0)),
        'recall': float(metrics.recall_score(y, chosen, zero_division=0)),
        'brier': float(metrics.brier_score_loss(y, predicted)),
        'positiveRate': float(y.mean()),
        'calibration': calibration,
    }


def _segments(kind: Kind, rows: list[dict[str, Any]], y: np.ndarray, predicted: np.ndarray, threshold: float) -> list[dict[str, Any]]:
    """The same figures per segment (fairness); AUC only where the segment holds both outcomes."""
    from sklearn import metrics
    out = []
    names = [str(r['segment']) if r['segment'] is not None else '(none)' for r in rows]
    for segment in sorted(set(names)):
        inside = np.array([n == segment for n in names])
        ys, ps = y[inside], predicted[inside]
        figures: dict[str, Any] = {'segment': segment, 'rows': int(inside.sum())}
        if kind == 'regression':
            figures['mae'] = float(metrics.mean_absolute_error(ys, ps))
        else:
            chosen = ps >= threshold
            figures.update(positiveRate=float(ys.mean()), flaggedRate=float(chosen.mean()),
                           precision=float(metrics.precision_score(ys, chosen, zero_division=0)),
                           recall=float(metrics.recall_score(ys, chosen, zero_division=0)),
                           auc=float(metrics.roc_auc_score(ys, ps)) if len(set(ys.tolist())) == 2 else None)
        out.append(figures)
    return out


def _feature_stats(x: np.ndarray, features: list[str]) -> dict[str, Any]:
    """Each feature's training distribution: how often it is missing, its mean, its deciles, and the share
    of present values in each bin the deciles make (ties merged): what a later run's drift is measured against."""
    stats = {}
    for i, name in enumerate(features):
        column = x[:, i]
        present = column[~np.isnan(column)]
        deciles = sorted({float(q) for q in np.quantile(present, np.linspace(0.1, 0.9, 9))}) if len(present) else []
        stats[name] = {'missing': float(1 - len(present) / len(column)),
                       'mean': float(present.mean()) if len(present) else None,
                       'deciles': deciles,
                       'shares': _shares(present, deciles)}
    return stats


def _shares(present: np.ndarray, edges: list[float]) -> list[float]:
    """The share of `present` in each of the len(edges) + 1 bins the edges make (a value equal to an edge goes above it)."""
    if not len(present):
        return []
    counts = np.bincount(np.searchsorted(np.array(edges), present, side='right'), minlength=len(edges) + 1)
    return [float(c) / len(present) for c in counts]


# A bin empty on one side counts as this share: PSI stays finite.
_FLOOR = 1e-4


def _drift(x: np.ndarray, features: list[str], baseline: dict[str, Any], threshold: float) -> dict[str, Any]:
    """Each feature's population stability index (PSI) against the champion's training distribution: its bins
    and its missing share; at or above `threshold` the feature is flagged."""
    out: dict[str, Any] = {}
    for i, name in enumerate(features):
        base = baseline.get(name)
        if not base or 'shares' not in base:
            continue
        column = x[:, i]
        present = column[~np.isnan(column)]
        now = [len(present) and s * len(present) / len(column) for s in _shares(present, base['deciles'])] or [0.0] * len(base['shares'])
        then = [s * (1 - base['missing']) for s in base['shares']]
        now.append(1 - len(present) / len(column))
        then.append(base['missing'])
        psi = sum((max(a, _FLOOR) - max(b, _FLOOR)) * math.log(max(a, _FLOOR) / max(b, _FLOOR)) for a, b in zip(now, then))
        out[name] = {'psi': round(psi, 4), 'large': psi >= threshold}
    return out


def _probe_rows(x: np.ndarray, count: int) -> list[int]:
    """`count` held-out rows spread over the set, with a row holding a missing value among them when there is one."""
    step = max(1, len(x) // max(1, count))
    chosen = list(range(0, len(x), step))[:count]
    missing = np.where(np.isnan(x).any(axis=1))[0]
    if len(missing) and not any(i in chosen for i in missing.tolist()):
        chosen[-1] = int(missing[0])
    return chosen


def _data_hash(rows: list[dict[str, Any]], features: list[str], label: str) -> str:
    digest = hashlib.sha256()
    for r in rows:
        digest.update(json.dumps([r['customer_id'], r['feature_date'][:10], *[r[f] for f in features], r[label]], default=str).encode())
        digest.update(b'\n')
    return digest.hexdigest()
