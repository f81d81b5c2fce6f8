//! brainpoolP224r1 (RFC 5639 §3.3), which early e-passports (the BSI 2008 test passport among
//! them) sign with. RustCrypto publishes no crate for this curve, so it is instantiated here
//! from RustCrypto's own generic building blocks — `primefield` for the field and scalar
//! arithmetic and `primeorder` for the point arithmetic — exactly the way their `bp256` crate
//! instantiates brainpoolP256r1. Only the curve constants below are ours; they are checked by
//! the tests (the generator is on the curve and has order n) and by the BSI signature.
//!
//! Verification only: nothing here signs, so constant time is not needed.

#![allow(missing_docs, clippy::unwrap_used, deprecated)]

use elliptic_curve::bigint::{Odd, U256};
use elliptic_curve::consts::U28;
use elliptic_curve::ff::PrimeField;
use elliptic_curve::ops::BatchInvert;
use elliptic_curve::scalar::{FromUintUnchecked, IsHigh};
use elliptic_curve::subtle::{Choice, ConstantTimeEq, ConstantTimeGreater, CtOption};
use elliptic_curve::{CurveArithmetic, PrimeCurveArithmetic, hazmat::FieldArithmetic};
use primeorder::{PrimeCurveParams, mul_backend, point_arithmetic, wnaf};

/// brainpoolP224r1.
#[derive(Copy, Clone, Debug, Default, Eq, PartialEq, PartialOrd, Ord)]
pub struct BrainpoolP224r1;

// 224-bit moduli held in 256-bit integers (as RustCrypto's p224 does on 64-bit targets).
const MODULUS_HEX: &str = "00000000d7c134aa264366862a18302575d1d787b09f075797da89f57ec8c0ff";
const ORDER_HEX: &str = "00000000d7c134aa264366862a18302575d0fb98d116bc4b6ddebca3a5a7939f";
const ORDER: Odd<U256> = Odd::<U256>::from_be_hex(ORDER_HEX);

impl elliptic_curve::Curve for BrainpoolP224r1 {
    type FieldBytesSize = U28;
    type Uint = U256;
    const ORDER: Odd<U256> = ORDER;
}

impl elliptic_curve::PrimeCurve for BrainpoolP224r1 {}

impl elliptic_curve::point::PointCompression for BrainpoolP224r1 {
    const COMPRESS_POINTS: bool = false;
}

impl const_oid::AssociatedOid for BrainpoolP224r1 {
    const OID: const_oid::ObjectIdentifier =
        const_oid::ObjectIdentifier::new_unwrap("1.3.36.3.3.2.8.1.1.5");
}

// 3 is a quadratic non-residue modulo p and modulo n, which is what the square root
// (Tonelli-Shanks) needs; verification never takes square roots of uncompressed points.
primefield::monty_field_params! {
    name: FieldParams,
    modulus: MODULUS_HEX,
    uint: U256,
    byte_order: primefield::ByteOrder::BigEndian,
    multiplicative_generator: 3,
    doc: "Montgomery parameters for brainpoolP224's field modulus"
}

primefield::monty_field_element! {
    name: FieldElement,
    params: FieldParams,
    uint: U256,
    doc: "Element in the brainpoolP224 finite field modulo p"
}

primefield::monty_field_arithmetic! {
    name: FieldElement,
    params: FieldParams,
    uint: U256
}

impl BatchInvert for FieldElement {}

mod scalar {
    use super::*;

    primefield::monty_field_params! {
        name: ScalarParams,
        modulus: ORDER_HEX,
        uint: U256,
        byte_order: primefield::ByteOrder::BigEndian,
        multiplicative_generator: 3,
        doc: "Montgomery parameters for brainpoolP224's scalar modulus"
    }

    primefield::monty_field_element! {
        name: Scalar,
        params: ScalarParams,
        uint: U256,
        doc: "Element in the brainpoolP224 scalar field modulo n"
    }

    primefield::monty_field_arithmetic! {
        name: Scalar,
        params: ScalarParams,
        uint: U256
    }
}

pub use scalar::Scalar;

elliptic_curve::scalar_impls!(BrainpoolP224r1, Scalar);
wnaf::impl_wnaf_size_for_scalar!(Scalar);

impl AsRef<Scalar> for Scalar {
    fn as_ref(&self) -> &Scalar {
        self
    }
}

impl FromUintUnchecked for Scalar {
    type Uint = U256;

    fn from_uint_unchecked(uint: Self::Uint) -> Self {
        Self::from_uint_unchecked(uint)
    }
}

impl elliptic_curve::ops::Reduce<U256> for Scalar {
    fn reduce(w: &U256) -> Self {
        // Verification only (variable time is fine): a full reduction modulo n.
        Self::from_uint_unchecked(w.rem_vartime(ORDER.as_nz_ref()))
    }
}

impl elliptic_curve::ops::Reduce<elliptic_curve::FieldBytes<BrainpoolP224r1>> for Scalar {
    fn reduce(bytes: &elliptic_curve::FieldBytes<BrainpoolP224r1>) -> Self {
        <Self as elliptic_curve::ops::Reduce<U256>>::reduce(
            &elliptic_curve::field::bytes_to_uint::<BrainpoolP224r1>(bytes),
        )
    }
}

impl IsHigh for Scalar {
    fn is_high(&self) -> Choice {
        const MODULUS_SHR1: U256 = ORDER.as_ref().shr_vartime(1);
        self.to_canonical().ct_gt(&MODULUS_SHR1)
    }
}

pub type AffinePoint = primeorder::AffinePoint<BrainpoolP224r1>;
pub type ProjectivePoint = primeorder::ProjectivePoint<BrainpoolP224r1>;

impl CurveArithmetic for BrainpoolP224r1 {
    type AffinePoint = AffinePoint;
    type ProjectivePoint = ProjectivePoint;
    type Scalar = Scalar;
}

impl FieldArithmetic for BrainpoolP224r1 {
    type FieldElement = FieldElement;
}

impl PrimeCurveArithmetic for BrainpoolP224r1 {
    type CurveGroup = ProjectivePoint;
}

impl PrimeCurveParams for BrainpoolP224r1 {
    type PointArithmetic = point_arithmetic::EquationAIsGeneric;
    type Backend = mul_backend::VariableOnly;

    const EQUATION_A: FieldElement =
        FieldElement::from_hex_vartime("68a5e62ca9ce6c1c299803a6c1530b514e182ad8b0042a59cad29f43");
    const EQUATION_B: FieldElement =
        FieldElement::from_hex_vartime("2580f63ccfe44138870713b1a92369e33e2135d266dbb372386c400b");
    const GENERATOR: (FieldElement, FieldElement) = (
        FieldElement::from_hex_vartime("0d9029ad2c7e5cf4340823b2a87dc68c9e4ce3174c1e6efdee12c07d"),
        FieldElement::from_hex_vartime("58aa56f772c0726f24c6b89e4ecdac24354b9e99caa3f6d3761402cd"),
    );
}

impl ecdsa::EcdsaCurve for BrainpoolP224r1 {
    const NORMALIZE_S: bool = false;
}

#[cfg(test)]
mod tests {
    use super::*;
    use elliptic_curve::group::{Group, GroupEncoding};

    #[test]
    fn generator_is_on_the_curve_and_has_order_n() {
        let g = ProjectivePoint::generator();
        // Encoding validates the curve equation on decode.
        let enc = elliptic_curve::sec1::ToSec1Point::to_sec1_point(&AffinePoint::from(g), false);
        let back =
            <AffinePoint as elliptic_curve::sec1::FromSec1Point<BrainpoolP224r1>>::from_sec1_point(
                &enc,
            );
        assert!(bool::from(back.is_some()));
        // n * G = identity, and (n - 1) * G = -G.
        let n_minus_1 = -Scalar::ONE;
        assert_eq!(g * n_minus_1, -g);
        assert!(bool::from((g * n_minus_1 + g).is_identity()));
        let _ = g.to_bytes();
    }
}
