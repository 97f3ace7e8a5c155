//! Planning: power, sample size, minimum detectable effect and duration.
