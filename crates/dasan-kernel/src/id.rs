//! Typed identifiers: UUIDv7 (time-ordered, so B-tree indexes stay append-mostly) stored as TEXT.

/// Defines a typed identifier over a UUIDv7 so that ids of different things cannot be mixed up.
#[macro_export]
macro_rules! define_id {
    ($(#[$meta:meta])* $name:ident) => {
        $(#[$meta])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize)]
        #[serde(transparent)]
        pub struct $name(pub $crate::id::Uuid);

        impl $name {
            /// A new, time-ordered identifier.
            pub fn new() -> Self {
                Self($crate::id::Uuid::now_v7())
            }
        }

        impl Default for $name {
            fn default() -> Self {
                Self::new()
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                self.0.hyphenated().fmt(f)
            }
        }

        impl std::str::FromStr for $name {
            type Err = $crate::id::ParseIdError;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                $crate::id::Uuid::parse_str(s).map(Self).map_err(|_| $crate::id::ParseIdError)
            }
        }
    };
}

pub use uuid::Uuid;

/// The text was not a UUID.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("not a valid identifier")]
pub struct ParseIdError;

define_id!(
    /// Identifies one audit event.
    EventId
);

#[cfg(test)]
mod tests {
    define_id!(ThingId);

    #[test]
    fn ids_round_trip_through_text_and_are_time_ordered() {
        let a = ThingId::new();
        let b = ThingId::new();
        assert!(a < b, "UUIDv7 generated later sorts later");
        let parsed: ThingId = a.to_string().parse().expect("own output parses");
        assert_eq!(parsed, a);
        assert_eq!(a.0.get_version_num(), 7);
        assert!("not-a-uuid".parse::<ThingId>().is_err());
    }
}
