pub mod audit;
pub mod bid;
pub mod committee;
pub mod doc;
pub mod gate;
pub mod mrtd;
pub mod pki;
pub mod registry;
