//! Distinguished names built from structured fields (not parsed strings), so agency names with
//! commas, plus signs or Hangul cannot be misread as extra attributes.

use der::asn1::SetOfVec;
use der::{Any, Decode, Encode, Tag};
use serde::{Deserialize, Serialize};
use x509_cert::attr::AttributeTypeAndValue;
use x509_cert::name::{Name, RdnSequence, RelativeDistinguishedName};

use crate::oid;
use crate::pki::PkiError;

/// A subject or issuer name. Encoded in the order C, O, OU, CN, serialNumber; text attributes
/// as UTF8String and country / serialNumber as PrintableString (RFC 5280 §4.1.2.6).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct DistinguishedName {
    /// ISO 3166-1 alpha-2 country code, upper case (e.g. `KR`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub country: Option<String>,
    /// Organisation (e.g. the agency's name).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub organization: Option<String>,
    /// Organisational unit (the platform puts the agency code here).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub organizational_unit: Option<String>,
    /// Common name.
    pub common_name: String,
    /// Subject serial number attribute (PrintableString), e.g. a document signer's number.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub serial_number: Option<String>,
}

impl DistinguishedName {
    /// A name with just a common name.
    pub fn cn(common_name: impl Into<String>) -> Self {
        DistinguishedName {
            common_name: common_name.into(),
            ..Default::default()
        }
    }

    /// Check the attribute rules (upper bounds from RFC 5280 Appendix A).
    ///
    /// # Errors
    /// [`PkiError::InvalidRequest`] naming the offending attribute.
    pub fn validate(&self) -> Result<(), PkiError> {
        let bad = |what: &str| Err(PkiError::InvalidRequest(format!("name: {what}")));
        if let Some(c) = &self.country
            && (c.len() != 2 || !c.bytes().all(|b| b.is_ascii_uppercase()))
        {
            return bad("country must be two upper-case letters (ISO 3166-1 alpha-2)");
        }
        for (value, what) in [
            (Some(&self.common_name), "common name"),
            (self.organization.as_ref(), "organization"),
            (self.organizational_unit.as_ref(), "organizational unit"),
        ] {
            if let Some(v) = value {
                let chars = v.chars().count();
                if chars == 0 || chars > 64 || v.chars().any(char::is_control) {
                    return bad(&format!(
                        "{what} must be 1 to 64 characters without control characters"
                    ));
                }
            }
        }
        if let Some(sn) = &self.serial_number
            && (sn.is_empty() || sn.len() > 64 || !sn.bytes().all(is_printable))
        {
            return bad("serial number must be 1 to 64 PrintableString characters");
        }
        Ok(())
    }

    /// Encode as an X.509 `Name`.
    ///
    /// # Errors
    /// [`PkiError::InvalidRequest`] if [`validate`](Self::validate) fails.
    pub fn to_name(&self) -> Result<Name, PkiError> {
        self.validate()?;
        let mut rdns = RdnSequence::default();
        let mut push = |oid, tag: Tag, value: &str| -> Result<(), PkiError> {
            let atv = AttributeTypeAndValue {
                oid,
                value: Any::new(tag, value.as_bytes())?,
            };
            let set = SetOfVec::try_from(vec![atv])?;
            // One attribute per RDN, as RFC 5280 profiles expect.
            let rdn = RelativeDistinguishedName::from_der(&set.to_der()?)?;
            rdns.push(rdn);
            Ok(())
        };
        if let Some(c) = &self.country {
            push(oid::AT_COUNTRY, Tag::PrintableString, c)?;
        }
        if let Some(o) = &self.organization {
            push(oid::AT_ORGANIZATION, Tag::Utf8String, o)?;
        }
        if let Some(ou) = &self.organizational_unit {
            push(oid::AT_ORGANIZATIONAL_UNIT, Tag::Utf8String, ou)?;
        }
        push(oid::AT_COMMON_NAME, Tag::Utf8String, &self.common_name)?;
        if let Some(sn) = &self.serial_number {
            push(oid::AT_SERIAL_NUMBER, Tag::PrintableString, sn)?;
        }
        // Name has no public constructor from an RdnSequence outside `hazmat`; a DER round
        // trip is the supported way and re-validates the encoding.
        Ok(Name::from_der(&rdns.to_der()?)?)
    }
}

/// X.680 PrintableString characters.
fn is_printable(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b" '()+,-./:=?".contains(&b)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encodes_in_order_with_the_right_string_types() {
        let dn = DistinguishedName {
            country: Some("KR".into()),
            organization: Some("행정안전부, Ministry+Interior".into()),
            organizational_unit: Some("MOIS".into()),
            common_name: "MOIS Document Signing".into(),
            serial_number: None,
        };
        let name = dn.to_name().expect("name");
        // The comma and plus stay inside the organization attribute.
        assert_eq!(name.len(), 4);
        let s = name.to_string();
        assert!(s.starts_with("CN=MOIS Document Signing,OU=MOIS,O="), "{s}");
        let der = name.to_der().expect("der");
        // countryName is a PrintableString (tag 0x13) ...
        assert!(der.windows(5).any(|w| w == [0x55, 0x04, 0x06, 0x13, 0x02]));
        // ... and organizationName a UTF8String (tag 0x0c).
        assert!(
            der.windows(4)
                .any(|w| w[..3] == [0x55, 0x04, 0x0a] && w[3] == 0x0c)
        );
    }

    #[test]
    fn rejects_bad_attributes() {
        let mut dn = DistinguishedName::cn("x");
        dn.country = Some("kr".into());
        assert!(dn.to_name().is_err());
        dn.country = Some("KOR".into());
        assert!(dn.to_name().is_err());
        assert!(DistinguishedName::cn("").to_name().is_err());
        assert!(DistinguishedName::cn("a".repeat(65)).to_name().is_err());
        assert!(DistinguishedName::cn("tab\there").to_name().is_err());
        let mut dn = DistinguishedName::cn("x");
        dn.serial_number = Some("no_underscore".into());
        assert!(dn.to_name().is_err());
    }
}
