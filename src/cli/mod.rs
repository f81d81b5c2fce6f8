pub mod audit;
pub mod mrtd;
pub mod pki;
pub mod registry;
