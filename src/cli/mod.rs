pub mod audit;
pub mod mrtd;
pub mod pki;
