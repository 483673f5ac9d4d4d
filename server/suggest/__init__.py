"""Suggesting: the engine, its learned ranker, how it is trained, evaluated and how it fares."""
