//! Declarative KPIs.
