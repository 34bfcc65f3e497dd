//! What the generated L1 layer ([`crate::l1`]) is made of: the property value types its setters
//! take, the property map every generated struct keeps, and [`L1Ref`], the typed handle of an
//! L1 resource added to a stack.
//!
//! A setter takes `impl Into<Str>` (or [`Int`], [`Num`], [`Bool`], [`Json`], [`List`],
//! [`Map`], a generated struct or enum): a literal of the right Rust type, or a [`Value`] that
//! may be a token (`table.arn()`, a parameter, `fns::if_`); an `Option` of either, whose `None`
//! leaves the property out. Synth checks every literal against the type's registry schema
//! ([`crate::registry`]), like every resource's; a token is left to the deploy, which alone
//! knows its value.
//!
//! A property is a method: a misspelled one does not compile, and neither does a resource
//! without a property CloudFormation requires (those are the arguments of `new`):
//!
//! ```
//! use constructs::l1::{dynamodb, sqs};
//!
//! let queue = sqs::CfnQueue::new().visibility_timeout(60);
//! let table = dynamodb::CfnTable::new(vec![dynamodb::table::KeySchemaItem::new("Id", "HASH")]);
//! ```
//!
//! ```compile_fail
//! # use constructs::l1::sqs;
//! let queue = sqs::CfnQueue::new().visibilty_timeout(60); // no such property
//! ```
//!
//! ```compile_fail
//! # use constructs::l1::dynamodb;
//! let table = dynamodb::CfnTable::new(); // KeySchema is required
//! ```
//!
//! ```compile_fail
//! # use constructs::l1::sqs;
//! let queue = sqs::CfnQueue::new().visibility_timeout("sixty"); // an integer property
//! ```

use std::collections::BTreeMap;
use std::marker::PhantomData;
use std::ops::Deref;

use indexmap::IndexMap;

pub use super::resource::CfnProps;
use super::token::ResourceRef;
pub use super::value::{ToCfn, Value};

macro_rules! wrapper {
    ($(#[$doc:meta])* $name:ident from $($t:ty),*) => {
        $(#[$doc])*
        #[derive(Debug, Clone, PartialEq)]
        pub struct $name(pub(crate) Value);
        $(impl From<$t> for $name {
            fn from(v: $t) -> Self { $name(Value::from(v)) }
        }
        /// `None` leaves the property out.
        impl From<Option<$t>> for $name {
            fn from(v: Option<$t>) -> Self { $name(v.map_or(Value::Null, Value::from)) }
        })*
        impl From<Value> for $name {
            fn from(v: Value) -> Self { $name(v) }
        }
        /// `None` leaves the property out.
        impl From<Option<Value>> for $name {
            fn from(v: Option<Value>) -> Self { $name(v.unwrap_or(Value::Null)) }
        }
        impl From<&Value> for $name {
            fn from(v: &Value) -> Self { $name(v.clone()) }
        }
        impl From<$name> for Value {
            fn from(v: $name) -> Self { v.0 }
        }
    };
}

wrapper!(
    /// A string property: `&str`, `String`, or a [`Value`] token.
    Str from &str, String, &String
);
wrapper!(
    /// An integer property: any Rust integer, or a [`Value`] token.
    Int from i32, i64, u32, u64, u16, u8, usize
);
wrapper!(
    /// A number property: `f64`, an integer, or a [`Value`] token.
    Num from f64, i32, i64, u32, u64
);
wrapper!(
    /// A boolean property: `bool`, or a [`Value`] token.
    Bool from bool
);
wrapper!(
    /// A property the schema types as free JSON (a policy document, a definition): a
    /// `serde_json::Value` or a [`Value`] that may hold tokens.
    Json from serde_json::Value
);

/// A list property of `T`: a `Vec` or array of anything that converts into `T`, or a [`Value`]
/// token that is a list (`fns::split`, a `CommaDelimitedList` parameter).
#[derive(Debug, Clone, PartialEq)]
pub struct List<T>(pub(crate) Value, PhantomData<T>);

impl<T: Into<Value>, U: Into<T>> From<Vec<U>> for List<T> {
    fn from(items: Vec<U>) -> Self {
        List(
            Value::Array(items.into_iter().map(|u| u.into().into()).collect()),
            PhantomData,
        )
    }
}
impl<T: Into<Value>, U: Into<T>, const N: usize> From<[U; N]> for List<T> {
    fn from(items: [U; N]) -> Self {
        List(
            Value::Array(items.into_iter().map(|u| u.into().into()).collect()),
            PhantomData,
        )
    }
}
impl<T> From<Value> for List<T> {
    fn from(v: Value) -> Self {
        List(v, PhantomData)
    }
}
impl<T> From<List<T>> for Value {
    fn from(v: List<T>) -> Self {
        v.0
    }
}

/// A map property from names to `T`: an `IndexMap`, `BTreeMap` or list of pairs, or a
/// [`Value`] token.
#[derive(Debug, Clone, PartialEq)]
pub struct Map<T>(pub(crate) Value, PhantomData<T>);

impl<T: Into<Value>, K: Into<String>, U: Into<T>> From<IndexMap<K, U>> for Map<T> {
    fn from(map: IndexMap<K, U>) -> Self {
        Map::pairs(map)
    }
}
impl<T: Into<Value>, K: Into<String>, U: Into<T>> From<BTreeMap<K, U>> for Map<T> {
    fn from(map: BTreeMap<K, U>) -> Self {
        Map::pairs(map)
    }
}
impl<T: Into<Value>, K: Into<String>, U: Into<T>> From<Vec<(K, U)>> for Map<T> {
    fn from(pairs: Vec<(K, U)>) -> Self {
        Map::pairs(pairs)
    }
}
impl<T> From<Value> for Map<T> {
    fn from(v: Value) -> Self {
        Map(v, PhantomData)
    }
}
impl<T> From<Map<T>> for Value {
    fn from(v: Map<T>) -> Self {
        v.0
    }
}

impl<T: Into<Value>> Map<T> {
    fn pairs<K: Into<String>, U: Into<T>>(pairs: impl IntoIterator<Item = (K, U)>) -> Self {
        Map(
            Value::Object(
                pairs
                    .into_iter()
                    .map(|(k, u)| (k.into(), u.into().into()))
                    .collect(),
            ),
            PhantomData,
        )
    }
}

/// `{"Key": .., "Value": ..}`: the tag shape most resource types take in a list. Tags that
/// [`crate::Tags`] applies are added to these.
#[derive(Debug, Clone, PartialEq)]
pub struct Tag(Props);

impl Tag {
    /// A tag.
    pub fn new(key: impl Into<Str>, value: impl Into<Str>) -> Self {
        Tag(Props::default()
            .with("Key", key.into().0)
            .with("Value", value.into().0))
    }
}
impl From<Tag> for Value {
    fn from(t: Tag) -> Self {
        t.0.into_value()
    }
}

/// The properties a generated struct has been given, rendered in name order (the order the
/// registry lists them); a `Null` value leaves the property out. A property type built from a
/// [`Value`] (`Target::from(value)`: a token such as `fns::if_(..)`, or an object written by
/// hand) renders that value, with the properties set after it added when it is an object.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Props {
    map: BTreeMap<&'static str, Value>,
    raw: Option<Value>,
}

impl Props {
    /// Properties that stand for `value` as a whole.
    pub fn from_value(value: Value) -> Self {
        Props {
            map: BTreeMap::new(),
            raw: Some(value),
        }
    }

    /// Sets `name`.
    pub fn with(mut self, name: &'static str, value: Value) -> Self {
        self.set(name, value);
        self
    }

    /// Sets `name` (a `Null` value removes it).
    pub fn set(&mut self, name: &'static str, value: Value) {
        if value.is_null() {
            self.map.remove(name);
        } else {
            self.map.insert(name, value);
        }
    }

    /// Sets `name` to `v`, converted through `T` (the type the setter takes).
    pub fn put<T: Into<Value>>(&mut self, name: &'static str, v: T) {
        self.set(name, v.into());
    }

    /// The value of `name`, when set.
    pub fn get(&self, name: &str) -> Option<&Value> {
        self.map.get(name).or_else(|| match &self.raw {
            Some(Value::Object(m)) => m.get(name),
            _ => None,
        })
    }

    /// The properties as a template object.
    pub fn to_value(&self) -> Value {
        self.clone().into_value()
    }

    /// The properties as a template object, consumed.
    pub fn into_value(self) -> Value {
        match self.raw {
            Some(Value::Object(mut m)) => {
                for (k, v) in self.map {
                    m.insert(k.to_string(), v);
                }
                Value::Object(m)
            }
            Some(raw) => raw,
            None => Value::Object(
                self.map
                    .into_iter()
                    .map(|(k, v)| (k.to_string(), v))
                    .collect(),
            ),
        }
    }
}

impl ToCfn for Props {
    fn to_cfn(&self) -> Option<Value> {
        Some(self.to_value())
    }
}

/// An L1 resource added to a stack with [`crate::Stack::add_l1`]: its [`ResourceRef`] (by
/// `Deref`, for `reference()`, `get_att(..)` and every stack method that takes one) and, from
/// the generated layer, a typed accessor per attribute (`attr_arn()`, ...).
pub struct L1Ref<P> {
    resource: ResourceRef,
    _props: PhantomData<fn() -> P>,
}

// by hand: a derive would ask the props type for what only the handle needs
impl<P> Clone for L1Ref<P> {
    fn clone(&self) -> Self {
        L1Ref {
            resource: self.resource.clone(),
            _props: PhantomData,
        }
    }
}
impl<P> PartialEq for L1Ref<P> {
    fn eq(&self, other: &Self) -> bool {
        self.resource == other.resource
    }
}
impl<P> Eq for L1Ref<P> {}
impl<P> std::hash::Hash for L1Ref<P> {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.resource.hash(state);
    }
}
impl<P> std::fmt::Debug for L1Ref<P> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_tuple("L1Ref").field(&self.resource).finish()
    }
}

impl<P: CfnProps> L1Ref<P> {
    pub(crate) fn new(resource: ResourceRef) -> Self {
        L1Ref {
            resource,
            _props: PhantomData,
        }
    }

    /// The resource's `Ref`.
    pub fn ref_(&self) -> Value {
        self.resource.reference()
    }

    /// The untyped handle.
    pub fn resource(&self) -> &ResourceRef {
        &self.resource
    }
}

impl<P> Deref for L1Ref<P> {
    type Target = ResourceRef;
    fn deref(&self) -> &ResourceRef {
        &self.resource
    }
}

impl<P> From<L1Ref<P>> for ResourceRef {
    fn from(r: L1Ref<P>) -> Self {
        r.resource
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn props_render_in_name_order_and_leave_out_null() {
        let mut p = Props::default();
        p.put("Zeta", 1);
        p.put("Alpha", "a");
        p.put::<Option<Value>>("Gone", None);
        assert_eq!(
            serde_json::to_string(&p.to_value()).unwrap_or_default(),
            r#"{"Alpha":"a","Zeta":1}"#
        );
    }

    #[test]
    fn a_value_stands_for_the_whole_property() {
        // an object written by hand, with a property set after it
        let mut p = Props::from_value(Value::object().with("Mode", "OFF"));
        p.put("MaximumWindowInMinutes", 5);
        assert_eq!(
            serde_json::to_string(&p.to_value()).unwrap_or_default(),
            r#"{"Mode":"OFF","MaximumWindowInMinutes":5}"#
        );
        assert_eq!(p.get("Mode"), Some(&Value::from("OFF")));
        // a token is the property, whatever is set after it
        let token = crate::core::token::Aws::no_value();
        let mut p = Props::from_value(token.clone());
        p.put("Ignored", 1);
        assert_eq!(p.to_value(), token);
    }

    #[test]
    fn an_option_given_to_a_setter_is_left_out_when_none() {
        assert_eq!(Value::from(Int::from(None::<u32>)), Value::Null);
        assert_eq!(Value::from(Str::from(Some("x"))), Value::from("x"));
        assert_eq!(
            Value::from(List::<Str>::from(vec!["a", "b"])),
            Value::from(vec!["a", "b"])
        );
    }
}
