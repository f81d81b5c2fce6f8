//! The land register: parcels of land, who owns them (with shares) and the rights over them
//! (mortgages, leases, easements). Kept like the other registries: the current record plus
//! every version, so an extract can be issued "as of" any moment.
//!
//! Owners are recorded as the register records them at registration (name and identifier as
//! written then): the land register is its own authority and does not follow later changes in
//! the people registry.

use crate::model::{Address, Version};
use crate::store::{self, Entity, Src, Table};
use crate::validate::{self, Bad};
use crate::{Registry, RegistryError, corrupt, invalid};
use dasan_kernel::{Actor, Timestamp};
use jiff::civil::Date;
use serde::{Deserialize, Serialize};

/// Land category (지목), the common ones of the Korean cadastre.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LandCategory {
    /// 대: building site.
    Site,
    /// 전: dry field.
    Field,
    /// 답: paddy.
    Paddy,
    /// 과수원: orchard.
    Orchard,
    /// 임야: forest.
    Forest,
    /// 도로: road.
    Road,
    /// 공장용지: factory site.
    Factory,
    /// 잡종지: miscellaneous.
    Miscellaneous,
}

impl LandCategory {
    pub const ALL: [LandCategory; 8] = [
        LandCategory::Site,
        LandCategory::Field,
        LandCategory::Paddy,
        LandCategory::Orchard,
        LandCategory::Forest,
        LandCategory::Road,
        LandCategory::Factory,
        LandCategory::Miscellaneous,
    ];

    /// (Korean, English), as a register prints it.
    pub fn words(self) -> (&'static str, &'static str) {
        match self {
            LandCategory::Site => ("대", "building site"),
            LandCategory::Field => ("전", "dry field"),
            LandCategory::Paddy => ("답", "paddy"),
            LandCategory::Orchard => ("과수원", "orchard"),
            LandCategory::Forest => ("임야", "forest"),
            LandCategory::Road => ("도로", "road"),
            LandCategory::Factory => ("공장용지", "factory site"),
            LandCategory::Miscellaneous => ("잡종지", "miscellaneous"),
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            LandCategory::Site => "site",
            LandCategory::Field => "field",
            LandCategory::Paddy => "paddy",
            LandCategory::Orchard => "orchard",
            LandCategory::Forest => "forest",
            LandCategory::Road => "road",
            LandCategory::Factory => "factory",
            LandCategory::Miscellaneous => "miscellaneous",
        }
    }
}

/// One owner's share of a parcel, as registered.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Owner {
    /// Name as registered.
    pub name: String,
    /// Identifier as the register prints it (a masked resident registration number or a
    /// business registration number).
    pub identifier: String,
    /// The share, as a fraction (1/1 for a sole owner).
    pub share_numerator: u32,
    pub share_denominator: u32,
    /// When the share was acquired (registration received).
    pub acquired_on: Date,
    /// The cause (e.g. `매매` sale, `상속` inheritance, `증여` gift).
    pub cause: String,
}

/// A kind of right over a parcel other than ownership (을구).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EncumbranceKind {
    /// 근저당권: a mortgage securing up to a maximum claim.
    Mortgage,
    /// 임차권: a registered lease.
    Lease,
    /// 지역권: an easement.
    Easement,
}

impl EncumbranceKind {
    /// (Korean, English).
    pub fn words(self) -> (&'static str, &'static str) {
        match self {
            EncumbranceKind::Mortgage => ("근저당권설정", "mortgage"),
            EncumbranceKind::Lease => ("임차권설정", "lease"),
            EncumbranceKind::Easement => ("지역권설정", "easement"),
        }
    }
}

/// A right over the parcel.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Encumbrance {
    pub kind: EncumbranceKind,
    /// Who holds the right (a bank for a mortgage).
    pub holder: String,
    /// Maximum secured claim or deposit, in won (exact), if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub amount_krw: Option<i64>,
    pub registered_on: Date,
}

/// What the land register says about a parcel (the versioned content).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ParcelData {
    /// Canonical `DDDDDDDDDD-L-MMMM-SSSS-C` (see [`parcel_number`]).
    pub parcel_number: String,
    /// Where the parcel lies: `street` holds the neighbourhood (동/리) and `building` the lot
    /// number (지번), e.g. `세종로` and `1-68`.
    pub address: Address,
    pub category: LandCategory,
    /// Area in hundredths of a square metre, exactly (330.50 m² is 33050).
    pub area_centiares: i64,
    pub owners: Vec<Owner>,
    #[serde(default)]
    pub encumbrances: Vec<Encumbrance>,
}

impl ParcelData {
    /// The area as printed, in square metres with two decimals (`330.50`).
    pub fn area_m2(&self) -> String {
        format!(
            "{}.{:02}",
            self.area_centiares / 100,
            self.area_centiares % 100
        )
    }
}

/// A parcel as the register holds it now (or held it at some instant).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Parcel {
    pub version: i64,
    pub recorded_at: Timestamp,
    pub data: ParcelData,
}

/// Checks a parcel number: the Korean 19-digit parcel code (10-digit legal district, `1` for
/// land or `2` for mountain land, 4-digit main and 4-digit sub lot number) followed by an
/// ISO/IEC 7064 MOD 11,10 check digit over those 19 digits, so a mistyped digit is caught.
/// Dashes and spaces are ignored; returns `DDDDDDDDDD-L-MMMM-SSSS-C`.
pub fn parcel_number(text: &str) -> Option<String> {
    let digits: Vec<u8> = text
        .chars()
        .filter(|c| *c != '-' && *c != ' ')
        .map(|c| c.to_digit(10).and_then(|d| u8::try_from(d).ok()))
        .collect::<Option<Vec<u8>>>()?;
    if digits.len() != 20 || !matches!(digits[10], 1 | 2) {
        return None;
    }
    if crate::ident::mod11_10_check_digit(&digits[..19]) != digits[19] {
        return None;
    }
    let t: String = digits.iter().map(|d| char::from(b'0' + d)).collect();
    Some(format!(
        "{}-{}-{}-{}-{}",
        &t[..10],
        &t[10..11],
        &t[11..15],
        &t[15..19],
        &t[19..]
    ))
}

/// Builds a valid parcel number (for demo data).
pub fn make_parcel_number(district: u64, mountain: bool, main: u16, sub: u16) -> String {
    let body = format!(
        "{:010}{}{:04}{:04}",
        district % 10_000_000_000,
        if mountain { 2 } else { 1 },
        main % 10_000,
        sub % 10_000
    );
    let d: Vec<u8> = body.bytes().map(|b| b - b'0').collect();
    let c = crate::ident::mod11_10_check_digit(&d);
    format!(
        "{}-{}-{}-{}-{c}",
        &body[..10],
        &body[10..11],
        &body[11..15],
        &body[15..19]
    )
}

fn gcd(a: u64, b: u64) -> u64 {
    if b == 0 { a } else { gcd(b, a % b) }
}

/// Checks and normalises a parcel's record: the number's check digit, the address, a positive
/// area, and owners whose shares add up to exactly one.
pub fn validate_parcel(p: &mut ParcelData) -> Vec<Bad> {
    let mut out = Vec::new();
    match parcel_number(&p.parcel_number) {
        Some(n) => p.parcel_number = n,
        None => out.push(Bad::new(
            "parcel_number",
            "registry-error-parcel-number",
            "is not a valid parcel number (20 digits with a MOD 11,10 check digit)",
        )),
    }
    validate::address(&mut out, "address", &mut p.address);
    // Up to 100 km²: anything larger is a typing error.
    if p.area_centiares <= 0 || p.area_centiares > 10_000_000_000 {
        out.push(Bad::new(
            "area_centiares",
            "registry-error-area",
            "must be a positive area",
        ));
    }
    if p.owners.is_empty() || p.owners.len() > 100 {
        out.push(Bad::new(
            "owners",
            "registry-error-owners",
            "needs 1-100 owners",
        ));
    }
    // The shares add up to one, computed exactly as a fraction.
    let (mut num, mut den) = (0u64, 1u64);
    for (i, o) in p.owners.iter_mut().enumerate() {
        validate::text(&mut out, &format!("owners_{i}_name"), &mut o.name, 100);
        validate::text(
            &mut out,
            &format!("owners_{i}_identifier"),
            &mut o.identifier,
            30,
        );
        validate::text(&mut out, &format!("owners_{i}_cause"), &mut o.cause, 100);
        if o.share_denominator == 0
            || o.share_numerator == 0
            || o.share_numerator > o.share_denominator
        {
            out.push(Bad::new(
                format!("owners_{i}_share"),
                "registry-error-owners",
                "a share is a fraction between 0 and 1",
            ));
            continue;
        }
        let (n, d) = (u64::from(o.share_numerator), u64::from(o.share_denominator));
        num = num * d + n * den;
        den *= d;
        let g = gcd(num, den).max(1);
        num /= g;
        den /= g;
    }
    if !p.owners.is_empty() && num != den {
        out.push(Bad::new(
            "owners",
            "registry-error-owners",
            "the shares do not add up to one",
        ));
    }
    if p.encumbrances.len() > 100 {
        out.push(Bad::new(
            "encumbrances",
            "registry-error-owners",
            "at most 100 rights",
        ));
    }
    for (i, e) in p.encumbrances.iter_mut().enumerate() {
        validate::text(
            &mut out,
            &format!("encumbrances_{i}_holder"),
            &mut e.holder,
            200,
        );
        if e.amount_krw.is_some_and(|a| a <= 0) {
            out.push(Bad::new(
                format!("encumbrances_{i}_amount_krw"),
                "registry-error-area",
                "must be positive",
            ));
        }
    }
    out
}

pub(crate) const PARCELS: Table = Table {
    kind: "parcel",
    table: "registry_parcels",
    id_col: "parcel_number",
    key_col: None,
    extra: &["region", "locality", "category"],
    tag_col: None,
};

impl Entity for ParcelData {
    const TABLE: Table = PARCELS;
    fn key(&self) -> String {
        self.parcel_number.clone()
    }
    fn extra(&self) -> Vec<Option<String>> {
        vec![
            Some(self.address.region.clone()),
            Some(self.address.locality.clone()),
            Some(self.category.as_str().to_owned()),
        ]
    }
}

impl Registry {
    /// Registers a parcel, or records a change to it (a sale, a new mortgage); parcels are
    /// keyed by their number. Returns the version now current. `expected_version` guards a
    /// change against a concurrent one.
    pub async fn put_parcel(
        &self,
        actor: Actor,
        mut data: ParcelData,
        reason: &str,
        expected_version: Option<i64>,
    ) -> Result<i64, RegistryError> {
        let bads = validate_parcel(&mut data);
        if !bads.is_empty() {
            return Err(invalid(bads));
        }
        let number = data.parcel_number.clone();
        let exists = self.parcel(&number).await?.is_some();
        let (_, version) = self
            .write_one(
                actor,
                exists.then_some(number),
                data,
                reason,
                expected_version,
                "registry.parcel.put",
                &[],
            )
            .await?;
        Ok(version)
    }

    fn parcel_from(cur: store::Current) -> Result<Parcel, RegistryError> {
        Ok(Parcel {
            version: cur.version,
            recorded_at: Timestamp::from_micros(cur.updated_at),
            data: serde_json::from_str(&cur.data).map_err(corrupt)?,
        })
    }

    /// The parcel with this number (normalised first), as registered now.
    pub async fn parcel(&self, number: &str) -> Result<Option<Parcel>, RegistryError> {
        let Some(number) = parcel_number(number) else {
            return Ok(None);
        };
        store::current_by_id(Src::Db(self.database()), &PARCELS, &number)
            .await?
            .map(Self::parcel_from)
            .transpose()
    }

    /// The parcel as registered at `at` (the version recorded last at or before it).
    pub async fn parcel_as_of(
        &self,
        number: &str,
        at: Timestamp,
    ) -> Result<Option<Parcel>, RegistryError> {
        let Some(number) = parcel_number(number) else {
            return Ok(None);
        };
        let v: Option<Version<ParcelData>> =
            store::version_as_of(Src::Db(self.database()), "parcel", &number, at).await?;
        Ok(v.map(|v| Parcel {
            version: v.version,
            recorded_at: v.recorded_at,
            data: v.data,
        }))
    }

    /// Every version of a parcel's record, oldest first.
    pub async fn parcel_history(
        &self,
        number: &str,
    ) -> Result<Vec<Version<ParcelData>>, RegistryError> {
        let Some(number) = parcel_number(number) else {
            return Err(RegistryError::NotFound);
        };
        Ok(store::versions(Src::Db(self.database()), "parcel", &number).await?)
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn parcel_numbers_carry_a_check_digit() {
        let n = make_parcel_number(1_111_010_100, false, 1, 68);
        assert_eq!(parcel_number(&n).unwrap(), n);
        assert_eq!(parcel_number(&n.replace('-', "")).unwrap(), n);
        // Any one digit changed is caught.
        let digits: Vec<char> = n.chars().filter(char::is_ascii_digit).collect();
        for i in 0..digits.len() {
            let mut d = digits.clone();
            d[i] = if d[i] == '9' {
                '0'
            } else {
                char::from(d[i] as u8 + 1)
            };
            let s: String = d.into_iter().collect();
            assert!(parcel_number(&s).is_none(), "{s}");
        }
        assert!(parcel_number("").is_none());
        assert!(parcel_number("١١١١٠١٠١٠٠-1-0001-0068-0").is_none());
    }

    fn parcel(owners: &[(u32, u32)]) -> ParcelData {
        ParcelData {
            parcel_number: make_parcel_number(1_111_010_100, false, 1, 68),
            address: Address {
                region: "서울특별시".into(),
                locality: "종로구".into(),
                street: "세종로".into(),
                building: "1-68".into(),
                unit: None,
                postal_code: "03172".into(),
                country: "KR".into(),
            },
            category: LandCategory::Site,
            area_centiares: 33_050,
            owners: owners
                .iter()
                .map(|(n, d)| Owner {
                    name: "홍길동".into(),
                    identifier: "850315-1******".into(),
                    share_numerator: *n,
                    share_denominator: *d,
                    acquired_on: jiff::civil::date(2024, 3, 15),
                    cause: "매매".into(),
                })
                .collect(),
            encumbrances: vec![],
        }
    }

    #[test]
    fn shares_add_up_to_exactly_one() {
        assert!(validate_parcel(&mut parcel(&[(1, 1)])).is_empty());
        assert!(validate_parcel(&mut parcel(&[(1, 3), (2, 3)])).is_empty());
        assert!(validate_parcel(&mut parcel(&[(1, 2), (1, 3), (1, 6)])).is_empty());
        assert!(!validate_parcel(&mut parcel(&[(1, 2), (1, 3)])).is_empty());
        assert!(!validate_parcel(&mut parcel(&[(2, 1)])).is_empty());
        assert!(!validate_parcel(&mut parcel(&[(0, 1), (1, 1)])).is_empty());
        assert!(!validate_parcel(&mut parcel(&[])).is_empty());
        assert_eq!(parcel(&[(1, 1)]).area_m2(), "330.50");
    }
}
