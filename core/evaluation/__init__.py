"""Evaluation: metrics, evaluation classifiers, reports."""
