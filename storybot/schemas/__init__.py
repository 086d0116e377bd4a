"""Pydantic request and response models: validation, serialization and the OpenAPI document."""
