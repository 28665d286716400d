"""clinicscout: a trustworthy, explainable directory of microneedling clinics."""

__version__ = "0.1.0"
