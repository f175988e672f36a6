"""Waymark's model training in Python: gradient-boosted trees (LightGBM) trained on the warehouse's
ml_training rows and exported to ONNX, for the TypeScript retraining workflow
(workflows/pipeline/retraining.ts), which stores the model in the registry and scores with it in Node
(src/scoring/onnx-scorer.ts). Activities on a task queue of their own (workers/warehouse_worker.py)."""
