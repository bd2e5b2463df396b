"""The policy language: format models, loader, compiled conditions and JSONPath."""
