pub mod audit;
pub mod bid;
pub mod mrtd;
pub mod pki;
pub mod registry;
