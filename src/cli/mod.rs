pub mod audit;
pub mod bid;
pub mod doc;
pub mod gate;
pub mod mrtd;
pub mod ocds;
pub mod pki;
pub mod registry;
