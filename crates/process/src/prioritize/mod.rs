//! Prioritization frameworks.
