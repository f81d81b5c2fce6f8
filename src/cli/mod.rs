pub mod mrtd;
