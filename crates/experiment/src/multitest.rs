//! Multiple-comparison corrections over an explicit family of tests.
