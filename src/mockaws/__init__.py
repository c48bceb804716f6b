"""mockaws: practise AWS technical interviews, graded point by point."""

__version__ = "0.1.0"
