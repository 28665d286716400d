"""``make bench``: the pipeline measured against its floors, side by side in one run, as ratios.

Absolute times on a shared machine are noise; a ratio of two rates measured in the same run,
on the same synthetic web, is not. See ``bench/run.py`` for what is measured.
"""
