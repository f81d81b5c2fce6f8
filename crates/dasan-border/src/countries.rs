//! Country names as watchlists publish them → ISO 3166-1 alpha-3 (the MRZ nationality code),
//! so a listed nationality can be compared with a passport's.

/// Published names (normalised by [`crate::normalize::normalize`]) and their alpha-3 codes.
/// Covers every nationality on the UN consolidated list and the usual short forms.
const NAMES: &[(&str, &str)] = &[
    ("AFGHANISTAN", "AFG"),
    ("ALGERIA", "DZA"),
    ("BOSNIA AND HERZEGOVINA", "BIH"),
    ("CENTRAL AFRICAN REPUBLIC", "CAF"),
    ("CHAD", "TCD"),
    ("CHINA", "CHN"),
    ("CONGO", "COG"),
    ("DEMOCRATIC PEOPLE S REPUBLIC OF KOREA", "PRK"),
    ("DEMOCRATIC PEOPLES REPUBLIC OF KOREA", "PRK"),
    ("NORTH KOREA", "PRK"),
    ("DPRK", "PRK"),
    ("REPUBLIC OF KOREA", "KOR"),
    ("SOUTH KOREA", "KOR"),
    ("KOREA", "KOR"),
    ("DEMOCRATIC REPUBLIC OF THE CONGO", "COD"),
    ("EGYPT", "EGY"),
    ("ERITREA", "ERI"),
    ("ETHIOPIA", "ETH"),
    ("FRANCE", "FRA"),
    ("GEORGIA", "GEO"),
    ("GERMANY", "DEU"),
    ("GUINEA BISSAU", "GNB"),
    ("HAITI", "HTI"),
    ("INDIA", "IND"),
    ("INDONESIA", "IDN"),
    ("IRAN ISLAMIC REPUBLIC OF", "IRN"),
    ("IRAN", "IRN"),
    ("IRAQ", "IRQ"),
    ("JORDAN", "JOR"),
    ("KENYA", "KEN"),
    ("KUWAIT", "KWT"),
    ("LIBYA", "LBY"),
    ("MALAYSIA", "MYS"),
    ("MALI", "MLI"),
    ("MAURITANIA", "MRT"),
    ("MOROCCO", "MAR"),
    ("NIGERIA", "NGA"),
    ("NORWAY", "NOR"),
    ("PAKISTAN", "PAK"),
    ("PHILIPPINES", "PHL"),
    ("QATAR", "QAT"),
    ("RUSSIAN FEDERATION", "RUS"),
    ("RUSSIA", "RUS"),
    ("RWANDA", "RWA"),
    ("SAUDI ARABIA", "SAU"),
    ("SENEGAL", "SEN"),
    ("SOMALIA", "SOM"),
    ("SOUTH SUDAN", "SSD"),
    ("STATE OF PALESTINE", "PSE"),
    ("PALESTINE", "PSE"),
    ("SUDAN", "SDN"),
    ("SWEDEN", "SWE"),
    ("SYRIAN ARAB REPUBLIC", "SYR"),
    ("SYRIA", "SYR"),
    ("TAJIKISTAN", "TJK"),
    ("TRINIDAD AND TOBAGO", "TTO"),
    ("TUNISIA", "TUN"),
    ("TURKIYE", "TUR"),
    ("TURKEY", "TUR"),
    ("UGANDA", "UGA"),
    (
        "UNITED KINGDOM OF GREAT BRITAIN AND NORTHERN IRELAND",
        "GBR",
    ),
    ("UNITED KINGDOM", "GBR"),
    ("UNITED REPUBLIC OF TANZANIA", "TZA"),
    ("TANZANIA", "TZA"),
    ("UNITED STATES OF AMERICA", "USA"),
    ("UNITED STATES", "USA"),
    ("UZBEKISTAN", "UZB"),
    ("YEMEN", "YEM"),
    ("JAPAN", "JPN"),
    ("LEBANON", "LBN"),
    ("LIBERIA", "LBR"),
    ("BAHRAIN", "BHR"),
    ("UNITED ARAB EMIRATES", "ARE"),
    ("AZERBAIJAN", "AZE"),
    ("KAZAKHSTAN", "KAZ"),
    ("KYRGYZSTAN", "KGZ"),
    ("TURKMENISTAN", "TKM"),
    ("UKRAINE", "UKR"),
    ("BELGIUM", "BEL"),
    ("NETHERLANDS", "NLD"),
    ("SPAIN", "ESP"),
    ("ITALY", "ITA"),
    ("CANADA", "CAN"),
    ("AUSTRALIA", "AUS"),
    ("BANGLADESH", "BGD"),
    ("SINGAPORE", "SGP"),
    ("VIET NAM", "VNM"),
    ("VIETNAM", "VNM"),
    ("THAILAND", "THA"),
];

/// The alpha-3 code for a published country name or an MRZ code (`"Democratic People's
/// Republic of Korea"` → `PRK`, `"kor"` → `KOR`); `None` when unknown.
pub fn alpha3(name: &str) -> Option<String> {
    let n = crate::normalize::normalize(name);
    if n.len() == 3 && dasan_mrtd::countries::is_known_code(&n) {
        return Some(n);
    }
    NAMES
        .iter()
        .find(|(k, _)| *k == n)
        .map(|(_, c)| (*c).to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn un_names_and_codes() {
        assert_eq!(
            alpha3("Democratic People's Republic of Korea"),
            Some("PRK".into())
        );
        assert_eq!(alpha3("Iran (Islamic Republic of)"), Some("IRN".into()));
        assert_eq!(alpha3("Türkiye"), Some("TUR".into()));
        assert_eq!(alpha3("Guinea-Bissau"), Some("GNB".into()));
        assert_eq!(alpha3("kor"), Some("KOR".into()));
        assert_eq!(alpha3("D"), None);
        assert_eq!(alpha3("former Soviet Union"), None);
        assert_eq!(alpha3("ZZZ"), None);
    }
}
