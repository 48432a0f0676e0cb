//! Reading a few fields of a large JSON document without building it.
//!
//! `decide` reads a dozen fields of payloads that run to tens of kilobytes;
//! parsing them into a `serde_json::Value` allocated a map or string for
//! every key and value, about a fifth of intake's CPU. These wrappers let
//! serde skip everything else while still validating it as JSON, and read a
//! field the way indexing a `Value` does: absent, `null` or of another type
//! is `None`, never an error, so the typed path decides exactly as the
//! `Value` one.

use std::borrow::Cow;
use std::fmt;
use std::marker::PhantomData;
use std::ops::Deref;

use serde::de::value::{
    BoolDeserializer, BorrowedStrDeserializer, F64Deserializer, I64Deserializer,
    MapAccessDeserializer, SeqAccessDeserializer, StrDeserializer, StringDeserializer,
    U64Deserializer,
};
use serde::de::{Deserialize, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};

/// A string, borrowed from the input unless it had escapes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Str<'a>(pub Cow<'a, str>);

impl<'de: 'a, 'a> Deserialize<'de> for Str<'a> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct StrVisitor<'a>(PhantomData<&'a ()>);
        impl<'de: 'a, 'a> Visitor<'de> for StrVisitor<'a> {
            type Value = Str<'a>;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a string")
            }
            fn visit_borrowed_str<E>(self, v: &'de str) -> Result<Str<'a>, E> {
                Ok(Str(Cow::Borrowed(v)))
            }
            fn visit_str<E>(self, v: &str) -> Result<Str<'a>, E> {
                Ok(Str(Cow::Owned(v.to_owned())))
            }
            fn visit_string<E>(self, v: String) -> Result<Str<'a>, E> {
                Ok(Str(Cow::Owned(v)))
            }
        }
        deserializer.deserialize_str(StrVisitor(PhantomData))
    }
}

/// A scalar (`u64`, `bool`, [`Str`]) or `None` when the JSON holds anything
/// else there, like `Value::as_u64` and friends.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Maybe<T>(pub Option<T>);

impl<T> Default for Maybe<T> {
    fn default() -> Self {
        Maybe(None)
    }
}

impl<T: Copy> Maybe<T> {
    pub fn get(&self) -> Option<T> {
        self.0
    }
}

impl Maybe<Str<'_>> {
    pub fn as_str(&self) -> Option<&str> {
        self.0.as_ref().map(|s| s.0.as_ref())
    }
}

impl<'de, T: Deserialize<'de>> Deserialize<'de> for Maybe<T> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(ScalarVisitor(PhantomData))
    }
}

struct ScalarVisitor<T>(PhantomData<T>);

impl<'de, T: Deserialize<'de>> Visitor<'de> for ScalarVisitor<T> {
    type Value = Maybe<T>;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("any JSON value")
    }
    fn visit_bool<E: serde::de::Error>(self, v: bool) -> Result<Maybe<T>, E> {
        Ok(Maybe(T::deserialize(BoolDeserializer::<E>::new(v)).ok()))
    }
    fn visit_i64<E: serde::de::Error>(self, v: i64) -> Result<Maybe<T>, E> {
        Ok(Maybe(T::deserialize(I64Deserializer::<E>::new(v)).ok()))
    }
    fn visit_u64<E: serde::de::Error>(self, v: u64) -> Result<Maybe<T>, E> {
        Ok(Maybe(T::deserialize(U64Deserializer::<E>::new(v)).ok()))
    }
    fn visit_f64<E: serde::de::Error>(self, v: f64) -> Result<Maybe<T>, E> {
        Ok(Maybe(T::deserialize(F64Deserializer::<E>::new(v)).ok()))
    }
    fn visit_borrowed_str<E: serde::de::Error>(self, v: &'de str) -> Result<Maybe<T>, E> {
        Ok(Maybe(
            T::deserialize(BorrowedStrDeserializer::<E>::new(v)).ok(),
        ))
    }
    fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<Maybe<T>, E> {
        Ok(Maybe(T::deserialize(StrDeserializer::<E>::new(v)).ok()))
    }
    fn visit_string<E: serde::de::Error>(self, v: String) -> Result<Maybe<T>, E> {
        Ok(Maybe(T::deserialize(StringDeserializer::<E>::new(v)).ok()))
    }
    fn visit_unit<E>(self) -> Result<Maybe<T>, E> {
        Ok(Maybe(None))
    }
    fn visit_none<E>(self) -> Result<Maybe<T>, E> {
        Ok(Maybe(None))
    }
    fn visit_some<D: Deserializer<'de>>(self, deserializer: D) -> Result<Maybe<T>, D::Error> {
        Maybe::deserialize(deserializer)
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Maybe<T>, A::Error> {
        while seq.next_element::<IgnoredAny>()?.is_some() {}
        Ok(Maybe(None))
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Maybe<T>, A::Error> {
        while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
        Ok(Maybe(None))
    }
}

/// An object's fields, or all of them absent when the JSON holds anything
/// else there (indexing a non-object `Value` gives `Null`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Obj<T>(pub T);

impl<T> Deref for Obj<T> {
    type Target = T;
    fn deref(&self) -> &T {
        &self.0
    }
}

impl<'de, T: Deserialize<'de> + Default> Deserialize<'de> for Obj<T> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct ObjVisitor<T>(PhantomData<T>);
        impl<'de, T: Deserialize<'de> + Default> Visitor<'de> for ObjVisitor<T> {
            type Value = Obj<T>;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("any JSON value")
            }
            fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Obj<T>, A::Error> {
                T::deserialize(MapAccessDeserializer::new(map)).map(Obj)
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Obj<T>, A::Error> {
                while seq.next_element::<IgnoredAny>()?.is_some() {}
                Ok(Obj(T::default()))
            }
            fn visit_bool<E>(self, _: bool) -> Result<Obj<T>, E> {
                Ok(Obj(T::default()))
            }
            fn visit_i64<E>(self, _: i64) -> Result<Obj<T>, E> {
                Ok(Obj(T::default()))
            }
            fn visit_u64<E>(self, _: u64) -> Result<Obj<T>, E> {
                Ok(Obj(T::default()))
            }
            fn visit_f64<E>(self, _: f64) -> Result<Obj<T>, E> {
                Ok(Obj(T::default()))
            }
            fn visit_str<E>(self, _: &str) -> Result<Obj<T>, E> {
                Ok(Obj(T::default()))
            }
            fn visit_unit<E>(self) -> Result<Obj<T>, E> {
                Ok(Obj(T::default()))
            }
            fn visit_none<E>(self) -> Result<Obj<T>, E> {
                Ok(Obj(T::default()))
            }
            fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Obj<T>, D::Error> {
                Obj::deserialize(d)
            }
        }
        deserializer.deserialize_any(ObjVisitor(PhantomData))
    }
}

/// An array's elements (each an [`Obj`]), or none when the JSON holds
/// anything else there.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct List<T>(pub Vec<Obj<T>>);

impl<T> Default for List<T> {
    fn default() -> Self {
        List(Vec::new())
    }
}

impl<'de, T: Deserialize<'de> + Default> Deserialize<'de> for List<T> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct ListVisitor<T>(PhantomData<T>);
        impl<'de, T: Deserialize<'de> + Default> Visitor<'de> for ListVisitor<T> {
            type Value = List<T>;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("any JSON value")
            }
            fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<List<T>, A::Error> {
                Vec::<Obj<T>>::deserialize(SeqAccessDeserializer::new(seq)).map(List)
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<List<T>, A::Error> {
                while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
                Ok(List::default())
            }
            fn visit_bool<E>(self, _: bool) -> Result<List<T>, E> {
                Ok(List::default())
            }
            fn visit_i64<E>(self, _: i64) -> Result<List<T>, E> {
                Ok(List::default())
            }
            fn visit_u64<E>(self, _: u64) -> Result<List<T>, E> {
                Ok(List::default())
            }
            fn visit_f64<E>(self, _: f64) -> Result<List<T>, E> {
                Ok(List::default())
            }
            fn visit_str<E>(self, _: &str) -> Result<List<T>, E> {
                Ok(List::default())
            }
            fn visit_unit<E>(self) -> Result<List<T>, E> {
                Ok(List::default())
            }
            fn visit_none<E>(self) -> Result<List<T>, E> {
                Ok(List::default())
            }
            fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<List<T>, D::Error> {
                List::deserialize(d)
            }
        }
        deserializer.deserialize_any(ListVisitor(PhantomData))
    }
}
