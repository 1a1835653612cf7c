"""Thin HTTP handlers, one module per audience: parse, call a service, render."""
