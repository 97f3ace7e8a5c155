//! Explaining a KPI change.
