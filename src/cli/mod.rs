pub mod mrtd;
pub mod registry;
