//! Object ids in JSON (plans, journals, `--json`) as 40-hex strings, as git prints them.
//! Use with `#[serde(with = "crate::foundation::oid::hex")]` (or `hex_opt`, `hex_vec`, `hex_map`).

use std::collections::BTreeMap;

use gix::ObjectId;
use serde::{Deserialize, Deserializer, Serializer, de::Error as _};

fn parse<'de, D: Deserializer<'de>>(text: &str) -> Result<ObjectId, D::Error> {
    ObjectId::from_hex(text.as_bytes()).map_err(|err| D::Error::custom(format!("`{text}`: {err}")))
}

pub mod hex {
    use super::*;

    pub fn serialize<S: Serializer>(id: &ObjectId, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(id)
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(deserializer: D) -> Result<ObjectId, D::Error> {
        parse::<D>(&String::deserialize(deserializer)?)
    }
}

pub mod hex_opt {
    use super::*;

    pub fn serialize<S: Serializer>(
        id: &Option<ObjectId>,
        serializer: S,
    ) -> Result<S::Ok, S::Error> {
        match id {
            Some(id) => serializer.collect_str(id),
            None => serializer.serialize_none(),
        }
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(
        deserializer: D,
    ) -> Result<Option<ObjectId>, D::Error> {
        Option::<String>::deserialize(deserializer)?
            .map(|text| parse::<D>(&text))
            .transpose()
    }
}

pub mod hex_vec {
    use super::*;

    pub fn serialize<S: Serializer>(ids: &[ObjectId], serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_seq(ids.iter().map(ToString::to_string))
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(
        deserializer: D,
    ) -> Result<Vec<ObjectId>, D::Error> {
        Vec::<String>::deserialize(deserializer)?
            .iter()
            .map(|text| parse::<D>(text))
            .collect()
    }
}

pub mod hex_map {
    use super::*;
    use serde::ser::SerializeMap;

    pub fn serialize<S: Serializer>(
        map: &BTreeMap<String, ObjectId>,
        serializer: S,
    ) -> Result<S::Ok, S::Error> {
        let mut out = serializer.serialize_map(Some(map.len()))?;
        for (key, id) in map {
            out.serialize_entry(key, &id.to_string())?;
        }
        out.end()
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(
        deserializer: D,
    ) -> Result<BTreeMap<String, ObjectId>, D::Error> {
        BTreeMap::<String, String>::deserialize(deserializer)?
            .into_iter()
            .map(|(key, text)| Ok((key, parse::<D>(&text)?)))
            .collect()
    }
}

/// A commit id abbreviated for people.
pub fn short(id: ObjectId) -> String {
    id.to_hex_with_len(7).to_string()
}
