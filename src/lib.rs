//! zyklus: plan, gate and announce a fixed release cadence.
pub mod planning;
